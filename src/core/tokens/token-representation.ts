import { describeDate } from '../time/unreadable-date.js';
import type { Token } from './token.js';

/** How the API and `tokens list --json` show a token: never its key or digest. */
export interface TokenListing {
  readonly id: number;
  readonly kind: string;
  readonly name: string | null;
  readonly preview: string;
  readonly scopes: readonly string[];
  readonly created: string;
  readonly last_used: string | null;
  readonly expires: string | null;
}

/**
 * A token's listing fields, timestamps as ISO 8601 UTC with `Z`; a stored date tessera cannot
 * read shows as `unreadable` (and, for `expires`, means the token is refused).
 */
export function describeToken(token: Token): TokenListing {
  return {
    id: token.id,
    kind: token.kind,
    name: token.name,
    preview: token.preview,
    scopes: token.scopes,
    created: describeDate(token.created),
    last_used: token.lastUsed === null ? null : describeDate(token.lastUsed),
    expires: token.expires === null ? null : describeDate(token.expires),
  };
}
