import { type LoopbackResponse, requestFrom } from '../attack/support/loopback-client.js';

/** Each request on its own connection, so a server's keep-alive timing never fails a test. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<LoopbackResponse> {
  return requestFrom('127.0.0.1', {
    url,
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

/** `POST /api-token-auth/` as DRF's clients send it, JSON. */
export function obtainToken(
  server: string,
  username: string,
  password: string,
): Promise<LoopbackResponse> {
  return send(
    new URL('/api-token-auth/', server).href,
    'POST',
    { 'Content-Type': 'application/json' },
    JSON.stringify({ username, password }),
  );
}

/** `POST /api/build-trigger/` with `Authorization: Token <key>`. */
export function buildTrigger(server: string, key: string): Promise<LoopbackResponse> {
  return send(new URL('/api/build-trigger/', server).href, 'POST', {
    Authorization: `Token ${key}`,
  });
}

/** A GET or a form POST with cookies, for Django's admin login. */
export function request(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string> = {},
  body?: string,
): Promise<LoopbackResponse> {
  return send(url, method, headers, body);
}
