import type { Permission } from '../auth/permissions.js';
import type { Request } from '../http/request.js';
import { ALL_SCOPES, type Token } from './token.js';

/** The scope that lets a token list, create, rotate and revoke tokens. */
export const TOKENS_SCOPE = 'tokens';

// RFC 6749's scope-token: printable ASCII except space, `"` and `\`.
const SCOPE_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

/** True for a string usable as a scope (`*` included). */
export function isValidScope(scope: string): boolean {
  return SCOPE_PATTERN.test(scope);
}

/** True when a token's scopes grant `scope` (`*` grants every scope). */
export function grants(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(ALL_SCOPES) || scopes.includes(scope);
}

/** The scopes of `required` that `token` lacks (all of them without a token). */
export function missingScopes(token: Token | null, required: readonly string[]): string[] {
  if (token === null) return [...required];
  return required.filter((scope) => !grants(token.scopes, scope));
}

/**
 * Allows requests whose token has every one of `scopes`. Alone it answers 403 naming what is
 * missing; composed with `and`/`or`/`not` it gives DRF's default text; without credentials the
 * view's rule gives 401. A request authenticated without a token has no scopes.
 * @example
 * defineView({ authentication: [tokenAuthentication], permissions: [HasScope('builds:trigger')], post });
 */
export function HasScope(...scopes: readonly string[]): Permission {
  if (scopes.length === 0) throw new TypeError('HasScope needs at least one scope');
  for (const scope of scopes) {
    if (!isValidScope(scope) || scope === ALL_SCOPES)
      throw new TypeError(`invalid scope: ${scope}`);
  }
  return {
    hasPermission: (request: Request) => missingScopes(request.auth, scopes).length === 0,
    message: (request: Request) => {
      const missing = missingScopes(request.auth, scopes);
      return missing.length === 1
        ? `This token lacks the scope ${missing[0]}.`
        : `This token lacks the scopes ${missing.join(', ')}.`;
    },
    code: 'insufficient_scope',
    scopes: Object.freeze([...scopes]),
  };
}
