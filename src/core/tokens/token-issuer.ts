import type { TesseraEvents } from '../events.js';
import type { NewToken, TokenStore } from '../store.js';
import type { Clock } from '../time/clock.js';
import { generateKey, keyDigest, keyPreview } from './key-format.js';
import { ALL_SCOPES, type Token, type TokenKind } from './token.js';

/** A token just created, with its plaintext key: the only moment the key exists. */
export interface IssuedToken {
  readonly key: string;
  readonly token: Token;
}

/** Optional properties of a new token. */
export interface TokenProperties {
  readonly scopes?: readonly string[];
  readonly expires?: Date | null;
  readonly slidingSeconds?: number | null;
  readonly maxExpires?: Date | null;
}

// 9999-12-31 23:59:59.999 UTC: the latest date every store holds (MySQL's `datetime`, SQLite's
// text). Bounded durations stay far below it; this guards library callers that pass dates.
const LATEST_STORABLE_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A token to make: whose, of which kind and name, dated by which clock, and its properties. */
export interface NewTokenOptions extends TokenProperties {
  readonly userId: number;
  readonly kind: TokenKind;
  readonly name: string | null;
  /** Dates `created`. */
  readonly clock: Clock;
}

/**
 * Makes a fresh key and the row that stores it (digest and preview, never the key). Throws
 * `RangeError` for an expiry no store can hold, rather than writing a date nothing can read.
 * @example
 * const { key, row } = newToken({ userId: 7, kind: 'named', name: 'ci', clock: systemClock });
 */
export function newToken(options: NewTokenOptions): { key: string; row: NewToken } {
  const { userId, kind, name, clock, ...properties } = options;
  for (const date of [properties.expires, properties.maxExpires]) {
    if (date && !(date.getTime() <= LATEST_STORABLE_TIME)) {
      throw new RangeError('a token cannot expire after 9999-12-31: bound the duration');
    }
  }
  const key = generateKey();
  return {
    key,
    row: {
      userId,
      kind,
      name,
      digest: keyDigest(key),
      preview: keyPreview(key),
      scopes: properties.scopes ?? [ALL_SCOPES],
      created: new Date(clock.now()),
      expires: properties.expires ?? null,
      slidingSeconds: properties.slidingSeconds ?? null,
      maxExpires: properties.maxExpires ?? null,
    },
  };
}

/** Replaces the user's `default` token (DRF's one token per user) with a new one. */
export async function issueDefaultToken(
  store: TokenStore,
  userId: number,
  clock: Clock,
  events?: TesseraEvents,
): Promise<IssuedToken> {
  const { key, row } = newToken({ userId, kind: 'default', name: 'default', clock });
  const token = await store.replaceDefaultToken(row);
  events?.emit('token_created', { tokenId: token.id, userId, kind: 'default', name: 'default' });
  return { key, token };
}

/** Options of `issueLoginToken`: whose token, where it is kept, and its properties. */
export interface IssueLoginTokenOptions extends TokenProperties {
  readonly store: TokenStore;
  readonly userId: number;
  /** Dates `created`. */
  readonly clock: Clock;
  /** How many login tokens a user keeps: issuing one more drops the oldest. */
  readonly limit: number;
  /** Told `token_created`. */
  readonly events?: TesseraEvents | undefined;
}

/** Issues a `login` token (obtain-token), keeping at most `limit` of them per user. */
export async function issueLoginToken(options: IssueLoginTokenOptions): Promise<IssuedToken> {
  const { store, userId, limit, events, ...dated } = options;
  const { key, row } = newToken({ ...dated, userId, kind: 'login', name: null });
  const token = await store.createLoginToken(row, limit);
  events?.emit('token_created', { tokenId: token.id, userId, kind: 'login', name: null });
  return { key, token };
}
