import type { ViewResponse } from './view-response.js';

/**
 * The headers an adapter sends with a view's response. After a 413 the rest of the body was
 * never read, so the connection is closed rather than kept alive: reading the unread body to
 * find the next request would cost what the limit was there to save.
 */
export function headersToSend(response: ViewResponse): Record<string, string> {
  if (response.status !== 413) return response.headers;
  return { ...response.headers, connection: 'close' };
}
