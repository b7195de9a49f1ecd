import type { Token } from '../tokens/token.js';
import type { User } from '../users/user.js';

/** One signed-in staff member's session, as stored: looked up by the digest of its id. */
export interface AdminSession {
  readonly userId: number;
  readonly expires: Date;
  /**
   * A keyed digest of the user's password hash when the session began (Django's session auth
   * hash): a password change makes it stale, which ends every session of that user.
   */
  readonly userHash: string;
}

/** One page of a keyset-paginated listing: the rows and where the next page starts, if any. */
export interface KeysetPage<Row> {
  readonly rows: readonly Row[];
  /** The id the next page continues after (its rows have smaller ids); null on the last page. */
  readonly next: number | null;
}

/** A token with its user's name, as the admin page lists it. */
export interface ListedToken {
  readonly token: Token;
  readonly username: string;
}

/** What the admin page keeps beyond users and tokens: sessions, the secret key, paged listings. */
export interface AdminStore {
  /** The secret key `migrate` generated and stored, shared by every process on the database. */
  storedSecretKey(): Promise<string>;
  createSession(digest: string, session: AdminSession): Promise<void>;
  findSession(digest: string): Promise<AdminSession | null>;
  deleteSession(digest: string): Promise<void>;
  /** Ends every session of a user (deactivation, password change). */
  deleteUserSessions(userId: number): Promise<void>;
  /** Deletes sessions whose expiry is at or before `now`; returns how many. */
  deleteExpiredSessions(now: Date): Promise<number>;
  /** Tokens newest first, `limit` at a time by id, so a page costs the same at any depth. */
  tokenPage(query: {
    readonly userId?: number;
    readonly beforeId?: number;
    readonly limit: number;
  }): Promise<KeysetPage<ListedToken>>;
  /** Users by id, whose username starts with `search` when given, `limit` at a time. */
  userPage(query: {
    readonly search?: string;
    readonly beforeId?: number;
    readonly limit: number;
  }): Promise<KeysetPage<User>>;
}
