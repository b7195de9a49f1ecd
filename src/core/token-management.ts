import type { Clock } from './clock.js';
import { ValidationError } from './errors.js';
import type { RevocationReason, TesseraEvents } from './events.js';
import { generateKey, keyDigest, keyPreview } from './key-format.js';
import { grants, isValidScope } from './scopes.js';
import { DuplicateError, type TokenStore } from './store.js';
import { ALL_SCOPES, RESERVED_TOKEN_NAMES, type Token } from './token.js';
import { type IssuedToken, newToken } from './token-issuer.js';

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

/** The longest name a token may have (Django's `CharField(max_length=150)` message). */
export const TOKEN_NAME_MAX_LENGTH = 150;

/**
 * Creates a named token. With a `creator` token (self-service API), the new token's scopes must
 * be a subset of the creator's and it may not outlive it; without one (CLI, shell) any scopes and
 * lifetime are allowed. Throws `ValidationError` in DRF's field-error shape.
 */
export async function createNamedToken(
  context: TokenManagementContext,
  userId: number,
  input: NamedTokenInput,
  creator: Token | null = null,
): Promise<IssuedToken> {
  const errors: Record<string, string[]> = {};
  const name = input.name;
  if (name.trim() === '') errors.name = ['This field may not be blank.'];
  else if (name.length > TOKEN_NAME_MAX_LENGTH) {
    errors.name = [`Ensure this field has no more than ${TOKEN_NAME_MAX_LENGTH} characters.`];
  } else if (RESERVED_TOKEN_NAMES.includes(name)) errors.name = [`"${name}" is a reserved name.`];

  const scopes = input.scopes ?? creator?.scopes ?? [ALL_SCOPES];
  const invalid = scopes.filter((scope) => !isValidScope(scope));
  if (invalid.length > 0) errors.scopes = [`Not a valid scope: ${invalid.join(', ')}.`];
  else if (creator) {
    const beyond = scopes.filter((scope) =>
      scope === ALL_SCOPES ? !creator.scopes.includes(ALL_SCOPES) : !grants(creator.scopes, scope),
    );
    if (beyond.length > 0) {
      errors.scopes = [`Cannot grant scopes the requesting token lacks: ${beyond.join(', ')}.`];
    }
  }

  const now = context.clock.now();
  const lifetime = input.expiresInSeconds ?? null;
  const sliding = input.sliding ?? false;
  const maxAge = input.maxAgeSeconds ?? null;
  if (sliding && lifetime === null) errors.expires_in = ['Required for a sliding token.'];
  if (sliding && maxAge === null) errors.max_age = ['Required for a sliding token.'];
  if (!sliding && maxAge !== null) errors.max_age = ['Only a sliding token has a maximum age.'];
  if (sliding && lifetime !== null && maxAge !== null && maxAge < lifetime) {
    errors.max_age = ['Must be at least expires_in.'];
  }
  let expires = lifetime === null ? null : now + lifetime * 1000;
  const maxExpires = sliding && maxAge !== null ? now + maxAge * 1000 : null;
  // A token may not outlive the one that creates it; without a lifetime it inherits the bound.
  const bound = creator ? ((creator.maxExpires ?? creator.expires)?.getTime() ?? null) : null;
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
  const { key, row } = newToken(
    userId,
    'named',
    name,
    { now: () => now },
    {
      scopes: [...new Set(scopes)],
      expires: expires === null ? null : new Date(expires),
      slidingSeconds: sliding ? lifetime : null,
      maxExpires: maxExpires === null ? null : new Date(maxExpires),
    },
  );
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

/**
 * Gives a token a new key, keeping its name, scopes and expiry; the old key stops working at
 * once. Only `userId`'s own tokens: null for another user's or a missing one.
 */
export async function rotateToken(
  context: TokenManagementContext,
  tokenId: number,
  userId?: number,
): Promise<IssuedToken | null> {
  const existing = await context.store.getToken(tokenId);
  if (!existing || (userId !== undefined && existing.userId !== userId)) return null;
  const key = generateKey();
  const token = await context.store.rotateToken(tokenId, keyDigest(key), keyPreview(key));
  if (!token) return null;
  context.events?.emit('token_rotated', { tokenId, userId: token.userId });
  return { key, token };
}

/** Deletes one token (only `userId`'s, when given); false when there was none to delete. */
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
