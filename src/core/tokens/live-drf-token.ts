import type { DrfTokenRow } from './drf-token-reader.js';
import { keyPreview } from './key-format.js';
import type { Token } from './token.js';

/** The id of every live DRF key: it has no row in `tessera_token`, whose ids start at 1. */
export const LIVE_DRF_TOKEN_ID = 0;

/**
 * A live DRF key's scopes: none. It passes every view DRF's key could (DRF has no scopes, so its
 * views ask only `IsAuthenticated` and the like) and no `HasScope`, so it can never list, mint,
 * rotate or revoke tokens (`tokens`), which `*` would allow. A key imported with
 * `tessera tokens import-drf` gets `*` like any `default` token.
 */
export const LIVE_DRF_SCOPES: readonly string[] = Object.freeze([]);

/** The token a live DRF key authenticates as: kind `drf`, id 0, no scopes, never expiring. */
export function liveDrfToken(key: string, row: DrfTokenRow): Token {
  return {
    id: LIVE_DRF_TOKEN_ID,
    userId: row.user.id,
    kind: 'drf',
    name: null,
    preview: keyPreview(key),
    scopes: LIVE_DRF_SCOPES,
    created: row.created,
    expires: null,
    lastUsed: null,
    slidingSeconds: null,
    maxExpires: null,
  };
}

/** True when `token` is a live DRF key (managed by Django, not by tessera). */
export function isLiveDrfToken(token: Token | null): boolean {
  return token?.kind === 'drf';
}
