import { grants } from '../tokens/scopes.js';
import { ALL_SCOPES, type Token } from '../tokens/token.js';

/**
 * Who asks for a key to be minted or replaced: the token that authenticated the request (the
 * self-service API), or `null` for the operator (the CLI, `tessera shell`, library code), who
 * holds no token and so has no bounds.
 */
export type Requester = Token | null;

/**
 * The scopes of `scopes` the requester lacks: a key minted or replaced on its behalf may carry
 * none of them. `*` is only within a requester that has `*` itself (`tokens` does not grant it).
 */
export function scopesBeyondRequester(requester: Requester, scopes: readonly string[]): string[] {
  if (requester === null) return [];
  return scopes.filter((scope) =>
    scope === ALL_SCOPES
      ? !requester.scopes.includes(ALL_SCOPES)
      : !grants(requester.scopes, scope),
  );
}

/**
 * The latest instant (milliseconds) a key minted or replaced on the requester's behalf may be
 * valid: the requester's own latest expiry (a sliding token's `max_expires`); null when unbounded.
 */
export function requesterExpiryBound(requester: Requester): number | null {
  return requester === null ? null : latestExpiry(requester);
}

/** The latest instant (milliseconds) `token` can be valid; null when it never expires. */
export function latestExpiry(token: Pick<Token, 'expires' | 'maxExpires'>): number | null {
  return (token.maxExpires ?? token.expires)?.getTime() ?? null;
}
