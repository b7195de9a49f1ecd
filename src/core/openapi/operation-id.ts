import type { HandlerMethod } from '../http/handler-methods.js';

// drf-spectacular's action names for a method on a detail or collection path.
const ACTIONS: Readonly<Record<HandlerMethod, string>> = {
  get: 'retrieve',
  post: 'create',
  put: 'update',
  patch: 'partial_update',
  delete: 'destroy',
};

/**
 * drf-spectacular's default operation id: the path's literal segments joined by `_`, then the
 * action, e.g. `POST /api-token-auth/logout/` is `api_token_auth_logout_create`.
 */
export function defaultOperationId(openApiPath: string, method: HandlerMethod): string {
  const words = openApiPath
    .split('/')
    .filter((segment) => segment !== '' && !segment.startsWith('{'))
    .map((segment) => segment.replace(/[^A-Za-z0-9]+/g, '_'));
  return [...words, ACTIONS[method]].join('_');
}
