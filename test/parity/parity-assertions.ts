import assert from 'node:assert/strict';
import { DRF_BODIES, JSON_PARSE_ERROR_PREFIX } from './drf-bodies.js';
import type { RawResponse } from './raw-http-client.js';

/** Both views answer only POST and OPTIONS, and DRF puts `Allow` on every response. */
export const ALLOW = 'POST, OPTIONS';

/** tessera's key grammar: `tsr_`, 32 random and 6 checksum base62 characters. */
export const KEY_PATTERN = /^tsr_[0-9A-Za-z]{38}$/;

/** The five things the suite checks on every response, gathered so one diff shows them all. */
interface ResponseSummary {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly wwwAuthenticate: string | undefined;
  readonly allow: string | undefined;
  readonly body: string;
}

function summarize(res: RawResponse, body = res.body): ResponseSummary {
  return {
    status: res.status,
    contentType: res.headers['content-type'],
    wwwAuthenticate: res.headers['www-authenticate'],
    allow: res.headers.allow,
    body,
  };
}

/**
 * Asserts a JSON response exactly: status, `Content-Type: application/json`, `Allow`, the body
 * bytes, and `WWW-Authenticate: Token` on a 401 and on nothing else.
 */
export function assertJsonResponse(res: RawResponse, status: number, body: string): void {
  assert.deepEqual(summarize(res), {
    status,
    contentType: 'application/json',
    wwwAuthenticate: status === 401 ? 'Token' : undefined,
    allow: ALLOW,
    body,
  });
}

/** Asserts DRF's `Response()`: an empty body, no `Content-Type`, no `WWW-Authenticate`. */
export function assertEmptyResponse(res: RawResponse, status: number): void {
  assert.deepEqual(summarize(res), {
    status,
    contentType: undefined,
    wwwAuthenticate: undefined,
    allow: ALLOW,
    body: '',
  });
}

/** Asserts DRF's `JSONParser` 400, whose tail is Python's `json` message, and returns it. */
export function assertJsonParseError(res: RawResponse): string {
  const body = res.body;
  assertJsonResponse(res, 400, body.startsWith(JSON_PARSE_ERROR_PREFIX) ? body : '<other body>');
  const parsed: unknown = JSON.parse(body);
  assert.deepEqual(Object.keys(parsed as object), ['detail']);
  assert.ok(body.length > JSON_PARSE_ERROR_PREFIX.length + 2, body);
  return body;
}

/** Asserts obtain-token's success, `200 {"token":"<key>"}` with a tessera key, and returns the key. */
export function assertObtainedToken(res: RawResponse): string {
  const match = /^\{"token":"([^"]*)"\}$/.exec(res.body);
  const key = match?.[1] ?? '';
  assertJsonResponse(res, 200, `{"token":"${key}"}`);
  assert.match(key, KEY_PATTERN);
  return key;
}

/** Asserts obtain-token's 400 for credentials that do not log in. */
export function assertUnableToLogIn(res: RawResponse): void {
  assertJsonResponse(res, 400, DRF_BODIES.unableToLogIn);
}
