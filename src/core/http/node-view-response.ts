import { headersToSend } from './response-headers.js';
import type { ViewResponse } from './view-response.js';

/** The part of Node's `ServerResponse` a view's answer is written to. */
export interface NodeResponseTarget {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: Uint8Array): unknown;
}

/**
 * Writes a view's response to a Node response, bypassing framework helpers: a Buffer body keeps
 * DRF's exact `Content-Type: application/json` (Express and Fastify append `; charset=utf-8` to
 * strings) and no `ETag` or 304 is added; `Content-Length` is always declared.
 * @example
 * writeViewResponse(res, await view.handle(nodeViewRequest(req)));
 */
export function writeViewResponse(target: NodeResponseTarget, response: ViewResponse): void {
  // Most answers have no body (the seed's 200, forward auth's verdicts): no buffer for them.
  const body = response.body === '' ? undefined : Buffer.from(response.body);
  // A declared length, as the reference server sends: Node would otherwise frame the answer
  // chunked, and a HEAD answer (whose body Node drops) would say nothing of its size.
  target.writeHead(response.status, {
    ...headersToSend(response),
    'content-length': body === undefined ? '0' : String(body.length),
  });
  target.end(body);
}
