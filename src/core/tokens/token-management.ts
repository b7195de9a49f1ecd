import {
  latestExpiry,
  type Requester,
  requesterExpiryBound,
  scopesBeyondRequester,
} from '../auth/requester-bounds.js';
import { PermissionDenied, ValidationError } from '../errors.js';
import type { RevocationReason, TesseraEvents } from '../events.js';
import { DuplicateError, type TokenStore } from '../store.js';
import type { Clock } from '../time/clock.js';
import { checkDurationSeconds } from '../time/duration.js';
import { generateKey, keyDigest, keyPreview } from './key-format.js';
import { isValidScope } from './scopes.js';
import { ALL_SCOPES, type Token } from './token.js';
import { type IssuedToken, newToken } from './token-issuer.js';
import { tokenNameErrors } from './token-name.js';

export { TOKEN_NAME_MAX_LENGTH } from './token-name.js';

/** What token management works with. */
export interface TokenManagementContext {
  readonly store: TokenStore;
  readonly clock: Clock;
  readonly events?: TesseraEvents;
}

/** A named token to create; durations are in seconds. */
export interface NamedTokenInput {
  readonly name: string;
  /** Lifetime; with `sliding`, each use moves the expiry this far ahead of the use. */
  readonly expiresInSeconds?: number | null;
  readonly scopes?: readonly string[];
  readonly sliding?: boolean;
  /** With `sliding`: the latest expiry, counted from creation. */
  readonly maxAgeSeconds?: number | null;
}

/**
 * Creates a named token for `requester`: with a token (self-service API), the new token's scopes
 * must be a subset of the requester's and it may not outlive it; `null` is the operator (CLI,
 * shell), for whom any scopes and lifetime are allowed. Durations are at most
 * `MAX_DURATION_SECONDS` for everyone. Throws `ValidationError` in DRF's field-error shape.
 */
export async function createNamedToken(
  context: TokenManagementContext,
  userId: number,
  input: NamedTokenInput,
  requester: Requester = null,
): Promise<IssuedToken> {
  const errors: Record<string, string[]> = {};
  const name = input.name;
  const nameErrors = tokenNameErrors(name);
  if (nameErrors.length > 0) errors.name = nameErrors;

  const scopes = input.scopes ?? requester?.scopes ?? [ALL_SCOPES];
  const invalid = scopes.filter((scope) => !isValidScope(scope));
  if (invalid.length > 0) errors.scopes = [`Not a valid scope: ${invalid.join(', ')}.`];
  else {
    const beyond = scopesBeyondRequester(requester, scopes);
    if (beyond.length > 0) {
      errors.scopes = [`Cannot grant scopes the requesting token lacks: ${beyond.join(', ')}.`];
    }
  }

  const lifetime = durationSeconds(input.expiresInSeconds, 'expires_in', errors);
  const maxAge = durationSeconds(input.maxAgeSeconds, 'max_age', errors);
  const now = context.clock.now();
  const sliding = input.sliding ?? false;
  if (sliding && lifetime === null && !errors.expires_in) {
    errors.expires_in = ['Required for a sliding token.'];
  }
  if (sliding && maxAge === null && !errors.max_age)
    errors.max_age = ['Required for a sliding token.'];
  if (!sliding && maxAge !== null) errors.max_age = ['Only a sliding token has a maximum age.'];
  if (sliding && lifetime !== null && maxAge !== null && maxAge < lifetime) {
    errors.max_age = ['Must be at least expires_in.'];
  }
  let expires = lifetime === null ? null : now + lifetime * 1000;
  const maxExpires = sliding && maxAge !== null ? now + maxAge * 1000 : null;
  // A token may not outlive the one that creates it; without a lifetime it inherits the bound.
  const bound = requesterExpiryBound(requester);
  if (bound !== null) {
    const latest = maxExpires ?? expires;
    if (latest === null && !sliding) expires = bound;
    else if (latest !== null && latest > bound) {
      errors[maxExpires === null ? 'expires_in' : 'max_age'] = [
        `Cannot outlive the requesting token, which expires ${new Date(bound).toISOString()}.`,
      ];
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  // `created` and `expires` come from the same instant.
  const { key, row } = newToken({
    userId,
    kind: 'named',
    name,
    clock: { now: () => now },
    scopes: [...new Set(scopes)],
    expires: expires === null ? null : new Date(expires),
    slidingSeconds: sliding ? lifetime : null,
    maxExpires: maxExpires === null ? null : new Date(maxExpires),
  });
  let token: Token;
  try {
    token = await context.store.createToken(row);
  } catch (error) {
    if (error instanceof DuplicateError && error.field === 'name') {
      throw new ValidationError({ name: ['A token with this name already exists.'] });
    }
    throw error;
  }
  context.events?.emit('token_created', { tokenId: token.id, userId, kind: 'named', name });
  return { key, token };
}

// A duration given in seconds (null: none), refused in `errors[field]` when out of bounds.
function durationSeconds(
  seconds: number | null | undefined,
  field: string,
  errors: Record<string, string[]>,
): number | null {
  if (seconds === undefined || seconds === null) return null;
  const checked = checkDurationSeconds(seconds);
  if ('error' in checked) {
    errors[field] = [checked.error];
    return null;
  }
  return checked.seconds;
}

/** Whose token may be rotated, and by whom. */
export interface RotateOptions {
  /** Only this user's tokens: another user's (or a missing one) gives null. */
  readonly userId?: number;
  /**
   * The token asking (self-service API), or `null` for the operator (CLI, shell), who may rotate
   * any token. A requesting token may only rotate a token it could have created: no scope it
   * lacks, and not outliving it.
   */
  readonly requester?: Requester;
}

/**
 * Gives a token a new key, keeping its name, scopes and expiry; the old key stops working at
 * once. Null for a missing token (or another user's); `PermissionDenied` (403) when the requesting
 * token lacks one of the token's scopes or would be outlived by it, since the new key would
 * otherwise carry more than the requester holds.
 */
export async function rotateToken(
  context: TokenManagementContext,
  tokenId: number,
  options: RotateOptions = {},
): Promise<IssuedToken | null> {
  const { userId, requester = null } = options;
  const existing = await context.store.getToken(tokenId);
  if (!existing || (userId !== undefined && existing.userId !== userId)) return null;
  const beyond = scopesBeyondRequester(requester, existing.scopes);
  if (beyond.length > 0) {
    throw new PermissionDenied(
      `This token cannot rotate a token with scopes it lacks: ${beyond.join(', ')}.`,
    );
  }
  const bound = requesterExpiryBound(requester);
  const latest = latestExpiry(existing);
  if (bound !== null && (latest === null || latest > bound)) {
    throw new PermissionDenied(
      `This token cannot rotate a token that outlives it (it expires ${new Date(bound).toISOString()}).`,
    );
  }
  const key = generateKey();
  const token = await context.store.rotateToken(tokenId, keyDigest(key), keyPreview(key));
  if (!token) return null;
  context.events?.emit('token_rotated', { tokenId, userId: token.userId });
  return { key, token };
}

/**
 * Deletes one token (only `userId`'s, when given); false when there was none to delete. Any token
 * with the `tokens` scope may revoke any of its user's tokens, wider ones included: revoking only
 * takes access away, and a user must be able to kill a leaked `*` key from a narrower one (as
 * `logoutall` can).
 */
export async function revokeToken(
  context: TokenManagementContext,
  tokenId: number,
  reason: RevocationReason,
  userId?: number,
): Promise<boolean> {
  const existing = await context.store.getToken(tokenId);
  if (!existing || (userId !== undefined && existing.userId !== userId)) return false;
  const deleted = await context.store.deleteToken(tokenId);
  if (deleted) {
    context.events?.emit('token_revoked', { userId: existing.userId, tokenId, count: 1, reason });
  }
  return deleted;
}

/** Deletes every token of a user; returns how many. */
export async function revokeUserTokens(
  context: TokenManagementContext,
  userId: number,
  reason: RevocationReason,
): Promise<number> {
  const count = await context.store.deleteUserTokens(userId);
  context.events?.emit('token_revoked', { userId, count, reason });
  return count;
}

/** Deletes every expired token; returns how many. */
export function pruneExpiredTokens(context: TokenManagementContext): Promise<number> {
  return context.store.deleteExpiredTokens(new Date(context.clock.now()));
}
