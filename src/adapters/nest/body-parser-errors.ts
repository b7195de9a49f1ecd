import { Logger } from '@nestjs/common';
import { writeViewResponse } from '../../core/http/node-view-response.js';
import { pathOf } from '../../core/http/query-param.js';
import type { ViewResponse } from '../../core/http/view-response.js';
import { hostParserErrorResponse, isHostParserAbort } from '../host-parsed-body.js';

const logger = new Logger('tessera');

/** The part of Express's request the handler reads. */
interface ExpressRequest {
  readonly originalUrl?: string;
  readonly url?: string;
  readonly headers: { readonly 'content-type'?: string | undefined };
}

type ExpressErrorHandler = (
  error: unknown,
  request: ExpressRequest,
  response: {
    writeHead(status: number, headers: Record<string, string>): unknown;
    end(body?: Uint8Array): unknown;
  },
  next: (error: unknown) => void,
) => void;

/** `api/tokens/:id/` as a regular expression over request paths, any global prefix before it. */
function viewPathPattern(path: string): RegExp {
  const source = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`(^|/)${source}/?$`);
}

/**
 * Nest's own body for an http-errors error (`{statusCode, message}`), with DRF's text as the
 * message: body-parser's would quote the body.
 */
function nestShaped(answer: ViewResponse): ViewResponse {
  const { detail } = JSON.parse(answer.body) as { detail?: unknown };
  return {
    status: answer.status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ statusCode: answer.status, message: detail }),
  };
}

/**
 * An Express error handler for Nest's default bodyParser: a client leaving mid-body is a debug
 * line on any path; its errors on tessera's paths (every path, for a global guard) become DRF's
 * 400/413/415, and elsewhere Nest's `{statusCode, message}`, both without body bytes: Nest's own
 * handling would answer with body-parser's message, which quotes the body (a password, perhaps).
 */
export function bodyParserErrorHandler(viewPaths: readonly string[] | 'all'): ExpressErrorHandler {
  const patterns = viewPaths === 'all' ? undefined : viewPaths.map(viewPathPattern);
  return (error, request, response, next) => {
    if (isHostParserAbort(error)) {
      // The client left mid-body: nobody to answer, nothing for an error log.
      logger.debug('client left mid-body');
      response.end();
      return;
    }
    const path = pathOf(request.originalUrl ?? request.url ?? '/');
    const answer = hostParserErrorResponse(error, request.headers['content-type']);
    if (!answer) {
      next(error);
      return;
    }
    const tesseraPath = !patterns || patterns.some((pattern) => pattern.test(path));
    writeViewResponse(response, tesseraPath ? answer : nestShaped(answer));
  };
}
