import { type ExecutionContext, Logger } from '@nestjs/common';
import { type NodeRequestMessage, nodeViewRequest } from '../../core/http/node-view-request.js';
import type { NodeResponseTarget } from '../../core/http/node-view-response.js';
import type { ViewRequest } from '../../core/http/request.js';
import { ANONYMOUS_USER } from '../../core/users/user.js';
import { warnOfHostProxyTrust } from '../adapter-tessera.js';
import { withHostParsedBody } from '../host-parsed-body.js';
import type { TesseraRequestState } from '../request-state.js';

/**
 * What `TesseraGuard` adds to the request, whatever the platform: `request.tessera`, under its
 * own name so that it never clashes with `request.user` of `@nestjs/passport` (or its typings).
 * @example
 * trigger(@Req() request: Request & TesseraRequest) { return request.tessera.user.username; }
 */
export interface TesseraRequest {
  tessera: TesseraRequestState;
}

/** A request as either Nest platform hands it over (Fastify's carries Node's as `raw`). */
export type PlatformRequest = (NodeRequestMessage | { readonly raw: NodeRequestMessage }) &
  Partial<TesseraRequest> & {
    readonly params?: Record<string, string>;
    /** Express's application, on Nest's Express platform. */
    readonly app?: { get?(setting: string): unknown };
    /** What the platform's body parser made of the body, when it ran first. */
    readonly body?: unknown;
  };

/** A response as either Nest platform hands it over. */
export type PlatformResponse = NodeResponseTarget & {
  setHeader?(name: string, value: string): unknown;
  readonly raw?: NodeResponseTarget;
  header?(name: string, value: string): unknown;
};

const logger = new Logger('tessera');

/** Reports a 5xx to Nest's logger (never given a key or a password). */
export function reportToLogger(error: unknown): void {
  logger.error('view failed', error instanceof Error ? error.stack : String(error));
}

export function nodeMessage(request: PlatformRequest): NodeRequestMessage {
  return 'raw' in request ? request.raw : request;
}

export function nodeResponse(response: PlatformResponse): NodeResponseTarget {
  return response.raw ?? response;
}

/** The core's view of a Nest request; a body Nest's default bodyParser already read is the data. */
export function toViewRequest(
  request: PlatformRequest,
  maxBodyBytes: number | undefined,
): ViewRequest {
  const message = nodeMessage(request);
  // The peer address, never `request.ip`: with Express's `trust proxy`, that is whatever
  // X-Forwarded-For says, and tessera's own rule (settings.numProxies) decides what to believe.
  const host = request.app;
  if (host) {
    warnOfHostProxyTrust(host, "Express's `trust proxy`", host.get?.('trust proxy'), (text) =>
      logger.warn(text),
    );
  }
  const viewRequest = nodeViewRequest(message, { maxBodyBytes });
  return withHostParsedBody(
    viewRequest,
    { readableEnded: message.readableEnded, body: request.body, headers: message.headers },
    maxBodyBytes,
  );
}

/** Who the request is, as `TesseraGuard` found; Django's anonymous user where it did not run. */
export function requestState(context: ExecutionContext): TesseraRequestState {
  const request = context.switchToHttp().getRequest<PlatformRequest>();
  return request.tessera ?? { user: ANONYMOUS_USER, auth: null };
}
