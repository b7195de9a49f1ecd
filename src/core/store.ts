import type { AdminStore } from './admin/admin-store.js';
import type { InvalidationSubscriber } from './invalidation.js';
import type { DrfTokenImportOptions, DrfTokenImportReport } from './tokens/drf-token-import.js';
import type { DrfTokenReader } from './tokens/drf-token-reader.js';
import type { Token, TokenKind } from './tokens/token.js';
import type { User, UserWithPassword } from './users/user.js';

/** A user to insert; `password` is already a Django hash (or an unusable `!…` value). */
export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly isStaff?: boolean;
  readonly isSuperuser?: boolean;
  readonly isActive?: boolean;
  readonly dateJoined: Date;
}

/** Fields of a user that tessera changes after creation. */
export interface UserChanges {
  readonly password?: string;
  readonly email?: string;
  readonly isActive?: boolean;
  readonly isStaff?: boolean;
  readonly isSuperuser?: boolean;
  readonly lastLogin?: Date;
}

/** A token to insert: its digest, never its key. */
export interface NewToken {
  readonly userId: number;
  readonly kind: TokenKind;
  readonly name: string | null;
  readonly digest: string;
  readonly preview: string;
  readonly scopes: readonly string[];
  readonly created: Date;
  readonly expires: Date | null;
  readonly slidingSeconds: number | null;
  readonly maxExpires: Date | null;
}

/** What one use of a token changes, written later and in batches (never on the request's path). */
export interface TokenUse {
  readonly id: number;
  /** When the token was last used. */
  readonly lastUsed?: Date;
  /** A sliding token's new expiry; stores only ever move an expiry forward. */
  readonly expires?: Date;
}

/** What the per-request lookup returns: the token and its user, in one read. */
export interface TokenMatch {
  readonly token: Token;
  readonly user: User;
}

/** The one read every authenticated request makes. */
export interface TokenLookup {
  /** Finds a token by the SHA-256 digest of its key, joined with its user; one statement. */
  findTokenByDigest(digest: string): Promise<TokenMatch | null>;
}

/** Users, in Django's `auth_user` table. */
export interface UserStore {
  /** Inserts a user; throws `DuplicateError` when the username is taken. */
  createUser(user: NewUser): Promise<User>;
  getUserByUsername(username: string): Promise<UserWithPassword | null>;
  getUserById(id: number): Promise<UserWithPassword | null>;
  listUsers(): Promise<User[]>;
  updateUser(id: number, changes: UserChanges): Promise<void>;
  /**
   * Deletes the user and, in the same transaction, their tokens (no reliance on cascades). Rows
   * of other tables referring to the user (a Django app's) refuse it with `UserReferenced`, and
   * nothing is deleted; see `DeleteUserOptions` for Django's own tables.
   */
  deleteUser(id: number, options?: DeleteUserOptions): Promise<void>;
}

/** What `deleteUser` does with rows of other tables that refer to the user. */
export interface DeleteUserOptions {
  /**
   * Also delete the user's rows in the Django and DRF tables Django itself deletes them from
   * (`on_delete=CASCADE`): `django_admin_log`, `auth_user_groups`, `auth_user_user_permissions`,
   * `authtoken_token`. Any other referring table still refuses the deletion.
   */
  readonly cascadeDjango?: boolean;
}

/** Tokens, in `tessera_token`. */
export interface TokenStore extends TokenLookup {
  /** Inserts a token; throws `DuplicateError` when the user already has a token of that name. */
  createToken(token: NewToken): Promise<Token>;
  /** Atomically deletes the user's `default` token, if any, and inserts `token` as the new one. */
  replaceDefaultToken(token: NewToken): Promise<Token>;
  /** Inserts a `login` token and deletes the user's oldest ones beyond `limit`, atomically. */
  createLoginToken(token: NewToken, limit: number): Promise<Token>;
  getToken(id: number): Promise<Token | null>;
  getDefaultToken(userId: number): Promise<Token | null>;
  /** The user's tokens (or everyone's), oldest first. */
  listTokens(filter?: { readonly userId?: number }): Promise<Token[]>;
  /** Deletes one token; false when there was none. */
  deleteToken(id: number): Promise<boolean>;
  /** Deletes every token of a user; returns how many. */
  deleteUserTokens(userId: number): Promise<number>;
  /** Gives a token a new digest and preview (a new key), keeping everything else; null if gone. */
  rotateToken(id: number, digest: string, preview: string): Promise<Token | null>;
  /** Deletes tokens whose expiry is at or before `now`; returns how many. */
  deleteExpiredTokens(now: Date): Promise<number>;
  /** Writes a batch of token uses (last used, slid expiry) in one transaction. */
  recordTokenUses(uses: readonly TokenUse[]): Promise<void>;
}

/** A database tessera keeps its users and tokens in. */
export interface Store extends UserStore, TokenStore {
  /** `sqlite`, `postgres` or `mysql`. */
  readonly dialect: string;
  /** Applies pending migrations; returns the names applied, in order. */
  migrate(): Promise<string[]>;
  /** Names of migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  /**
   * Tells a subscriber (a token cache) what writes made stale: this process's at once, and other
   * processes' where the database or a broker carries them (PostgreSQL, Redis). Returns the
   * function that unsubscribes.
   */
  subscribeInvalidations(subscriber: InvalidationSubscriber): () => void;
  /** The admin page's sessions and listings; a store without it cannot serve the admin page. */
  admin?(): AdminStore;
  /**
   * Copies DRF's `authtoken_token` into `default` tokens, in one transaction (see
   * `tessera tokens import-drf`); throws `DrfTokenTableMissing` without that table.
   */
  importDrfTokens?(options: DrfTokenImportOptions): Promise<DrfTokenImportReport>;
  /** Reads DRF's `authtoken_token` live, never writing it (`drfTokens: 'read'`). */
  drfTokens?(): DrfTokenReader;
  close(): Promise<void>;
}

/** A unique constraint refused the write: a username or token name already in use. */
export class DuplicateError extends Error {
  readonly field: string;

  constructor(field: string) {
    super(`duplicate ${field}`);
    this.name = 'DuplicateError';
    this.field = field;
  }
}
