import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFound } from '../core/errors.js';
import { apiErrorResponse } from '../core/http/api-error-response.js';
import { nodeViewRequest } from '../core/http/node-view-request.js';
import { writeViewResponse } from '../core/http/node-view-response.js';
import { pathOf } from '../core/http/query-param.js';
import { reportToConsole } from '../core/http/report-to-console.js';
import type { View } from '../core/http/view.js';
import { type AdapterTessera, bodyLimitOf } from './adapter-tessera.js';

/** Options of `handleView` and `viewListener`. */
export interface NodeViewOptions {
  /** What `createTessera` returned: its body limit (`settings.maxBodyBytes`). */
  readonly tessera?: AdapterTessera;
  /** Largest body a handler may read, in bytes (413 beyond). Default the tessera's setting. */
  readonly maxBodyBytes?: number;
  /** Told about every 5xx answer (never given a key or a password). Default `console.error`. */
  readonly reportError?: (error: unknown) => void;
}

/** A `node:http` request listener. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Answers one request with a view, on every method: DRF's checks, then the handler or 405.
 * @example
 * createServer((req, res) => handleView(req, res, buildTrigger));
 */
export async function handleView(
  request: IncomingMessage,
  response: ServerResponse,
  view: View,
  options: NodeViewOptions = {},
  params: Readonly<Record<string, string>> = {},
): Promise<void> {
  const answer = await view.handle(
    nodeViewRequest(request, { maxBodyBytes: bodyLimitOf(options.maxBodyBytes, options.tessera) }),
    { params, reportError: options.reportError ?? reportToConsole },
  );
  writeViewResponse(response, answer);
}

const NOT_FOUND = apiErrorResponse(new NotFound());

/** Matches a path against `/a/:name/b/` patterns; returns the captured segments or null. */
function matchPath(pattern: readonly string[], path: string): Record<string, string> | null {
  const segments = path.split('/');
  if (segments.length !== pattern.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] as string;
    if (part.startsWith(':') && segment !== '') {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

/**
 * A `node:http` listener serving views by path (`/api/tokens/:id/` segments become params),
 * each on every method; any other path gets `404 {"detail":"Not found."}`. Bound slow clients on
 * the server you create (`headersTimeout`, `requestTimeout`, `setTimeout`, `keepAliveTimeout`;
 * docs/frameworks.md, "Use with your framework"): tessera cannot, as the server is yours.
 * @example
 * createServer(viewListener({ '/api-token-auth/': tessera.views.obtainToken }, { tessera }))
 *   .listen(8000);
 */
export function viewListener(
  routes: Readonly<Record<string, View>>,
  options: NodeViewOptions = {},
): RequestListener {
  const table = Object.entries(routes).map(([pattern, view]) => ({
    parts: pattern.split('/'),
    view,
  }));
  const report = options.reportError ?? reportToConsole;
  return (request, response) => {
    const path = pathOf(request.url ?? '/');
    for (const route of table) {
      const params = matchPath(route.parts, path);
      if (params) {
        handleView(request, response, route.view, options, params).catch(report);
        return;
      }
    }
    writeViewResponse(response, NOT_FOUND);
  };
}
