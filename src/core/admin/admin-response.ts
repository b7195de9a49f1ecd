import type { ViewResponse } from '../http/view-response.js';

/** The methods the admin page answers. */
export const ADMIN_ALLOW = 'GET, POST, HEAD, OPTIONS';

/** What an admin page handler decides: a status, and a page, a redirect or a cookie to set. */
export interface AdminAnswer {
  readonly status: number;
  readonly body?: string;
  readonly location?: string;
  readonly cookie?: string;
}

/**
 * An admin answer with the headers every admin response carries: never stored by a cache, never
 * framed, and a CSP that runs only the page's own style and script (by this response's nonce).
 */
export function adminResponse(answer: AdminAnswer, nonce: string, method: string): ViewResponse {
  const headers: Record<string, string> = {
    allow: ADMIN_ALLOW,
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
  };
  if (answer.location) headers.location = answer.location;
  if (answer.cookie) headers['set-cookie'] = answer.cookie;
  if (answer.body === undefined) return { status: answer.status, headers, body: '' };
  headers['content-type'] = 'text/html; charset=utf-8';
  return { status: answer.status, headers, body: method === 'HEAD' ? '' : answer.body };
}
