import type { Authenticator } from '../auth/authenticator.js';
import { AllowAny, IsAuthenticated, type Permission } from '../auth/permissions.js';
import type { Request, ViewRequest } from '../http/request.js';
import { defineView, type View } from '../http/view.js';
import type { ViewResponse } from '../http/view-response.js';
import { afterValue } from '../maybe-promise.js';
import { HasScope } from '../tokens/scopes.js';
import { forwardAuthOperations } from './forward-auth-operations.js';

/** The headers a successful verification carries; a proxy copies them to the backend. */
export const IDENTITY_HEADERS = {
  userId: 'x-tessera-user-id',
  username: 'x-tessera-username',
  scopes: 'x-tessera-scopes',
  tokenId: 'x-tessera-token-id',
} as const;

/**
 * The refusal's JSON body, repeated in a header: nginx's `auth_request` drops the body of the
 * verification answer, and its `error_page` can only rebuild the client's answer from headers.
 */
export const ERROR_BODY_HEADER = 'x-tessera-error';

const NO_STORE = 'no-store';
const SCOPE_PARAMETER = 'scope';

// Every byte outside printable ASCII, and `%` itself, so `decodeURIComponent` gives the name back.
const NEEDS_ENCODING = /[^\x21-\x24\x26-\x7e]/u;

/**
 * A username as a header value: unchanged when it is printable ASCII without `%`, otherwise its
 * UTF-8 bytes outside that range percent-encoded (`decodeURIComponent` reverses it). Header values
 * are bytes: raw UTF-8 would reach backends as latin-1 mojibake, or be refused.
 * @example
 * usernameHeaderValue('zoë'); // 'zo%C3%AB'
 */
export function usernameHeaderValue(username: string): string {
  if (!NEEDS_ENCODING.test(username)) return username;
  let encoded = '';
  for (const character of username) {
    if (!NEEDS_ENCODING.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of Buffer.from(character, 'utf8')) {
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return encoded;
}

/**
 * The scopes the proxy asks for with `?scope=` (repeatable: all are required). An adapter whose
 * requests cannot list repeated parameters would check only the last one: that fails closed.
 */
function requestedScopes(raw: ViewRequest): readonly string[] {
  if (raw.queryAll) return raw.queryAll(SCOPE_PARAMETER);
  if (raw.query(SCOPE_PARAMETER) === undefined) return [];
  throw new Error(
    'tessera forward auth: this adapter gives no ViewRequest.queryAll, so repeated ?scope= ' +
      'parameters cannot all be checked; refusing rather than checking only the last one',
  );
}

// `HasScope` is the one owner of the scope rule and its 403 text; a scope the proxy's
// configuration names badly (`*`, empty) makes it throw, which answers 500: fail closed.
function scopePermission(request: Request): Permission {
  const scopes = requestedScopes(request.raw);
  return scopes.length === 0 ? AllowAny : HasScope(...scopes);
}

const RequestedScopes: Permission = {
  hasPermission: (request) => scopePermission(request).hasPermission(request),
  message: (request) => {
    const { message } = scopePermission(request);
    return typeof message === 'function' ? message(request) : (message ?? '');
  },
  code: 'insufficient_scope',
};

/**
 * The request as verification reads it: every method is a GET (a proxy may forward the client's
 * own method), no body is ever read, and `Accept` is not negotiated (the client's `text/html`
 * must not turn a verification into a 406, which a proxy would show as a 500).
 */
function asVerification(raw: ViewRequest): ViewRequest {
  const verification: ViewRequest = {
    method: 'GET',
    header: (name) => (name === 'accept' ? undefined : raw.header(name)),
    query: (name) => (name === 'format' ? undefined : raw.query(name)),
    readBody: async () => new Uint8Array(0),
    remoteAddress: raw.remoteAddress,
  };
  return raw.queryAll
    ? { ...verification, queryAll: (name) => raw.queryAll?.(name) ?? [] }
    : verification;
}

function identityHeaders(request: Request): Record<string, string> {
  const { user, auth } = request;
  if (!user.isAuthenticated) return {};
  return {
    [IDENTITY_HEADERS.userId]: String(user.id),
    [IDENTITY_HEADERS.username]: usernameHeaderValue(user.username),
    [IDENTITY_HEADERS.scopes]: auth ? auth.scopes.join(' ') : '',
    [IDENTITY_HEADERS.tokenId]: auth ? String(auth.id) : '',
  };
}

// A verification answer is about one request's credentials: no cache may keep or reuse it.
function finish(response: ViewResponse): ViewResponse {
  const headers: Record<string, string> = { ...response.headers, 'cache-control': NO_STORE };
  if (response.status >= 300) headers[ERROR_BODY_HEADER] = response.body;
  return { ...response, headers };
}

/**
 * Forward authentication for reverse proxies (nginx `auth_request`, Traefik `forwardAuth`, Caddy
 * `forward_auth`): any method, the request's own `Authorization` checked by `authenticator`
 * (tessera's token authentication: cache, key-guessing limit, events). 200 with an empty body and
 * the `X-Tessera-*` identity headers; 401 with DRF's body and `WWW-Authenticate`; 403 naming the
 * scope, as `HasScope`, when a `?scope=` (repeatable, all required) is not granted; 429 past the
 * key-guessing limit; 503 when the store is down. Every answer is `Cache-Control: no-store`.
 * @example
 * mountView(app, '/auth/verify/', tessera.views.forwardAuth, { tessera });
 */
export function forwardAuthView(authenticator: Authenticator): View {
  const verify = (request: Request) => ({ headers: identityHeaders(request) });
  const view = defineView({
    name: 'Forward Auth',
    description: 'Verifies the request’s token for a reverse proxy.',
    authentication: [authenticator],
    permissions: [IsAuthenticated, RequestedScopes],
    operations: forwardAuthOperations(IDENTITY_HEADERS, ERROR_BODY_HEADER),
    get: verify,
    post: verify,
    put: verify,
    patch: verify,
    delete: verify,
  });
  return {
    ...view,
    handle: (raw, options) => afterValue(view.handle(asVerification(raw), options), finish),
    check: (raw, params) => view.check(asVerification(raw), params),
    renderError: (error, reportError) => finish(view.renderError(error, reportError)),
  };
}
