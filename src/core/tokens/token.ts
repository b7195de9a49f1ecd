/**
 * `default`: DRF's one token per user (`drf_create_token`); `login`: issued by obtain-token;
 * `named`: user-chosen tokens with optional expiry and scopes; `drf`: a key read live from
 * Django's `authtoken_token` (`drfTokens: 'read'`), never stored by tessera (its id is 0).
 */
export type TokenKind = 'default' | 'login' | 'named' | 'drf';

/** A stored token as tessera hands it around: never the key, never its digest. */
export interface Token {
  /** 0 for a live DRF key (kind `drf`), which has no row in `tessera_token`. */
  readonly id: number;
  readonly userId: number;
  readonly kind: TokenKind;
  /** `default` for the default token, the user's name for named tokens, null for login tokens. */
  readonly name: string | null;
  /** `tsr_` and the first 4 random characters (a DRF key: its first 4), for listings. */
  readonly preview: string;
  readonly scopes: readonly string[];
  readonly created: Date;
  readonly expires: Date | null;
  readonly lastUsed: Date | null;
  /** With sliding expiry, each use moves `expires` to now + this many seconds. */
  readonly slidingSeconds: number | null;
  /** The latest `expires` sliding may reach. */
  readonly maxExpires: Date | null;
}

/** Names tessera gives its own token kinds; a named token may not use them. */
export const RESERVED_TOKEN_NAMES: readonly string[] = ['default', 'login'];

/** The scope that grants every scope. */
export const ALL_SCOPES = '*';
