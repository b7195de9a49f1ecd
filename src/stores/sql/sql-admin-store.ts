import { type Kysely, sql } from 'kysely';
import type {
  AdminSession,
  AdminStore,
  KeysetPage,
  ListedToken,
} from '../../core/admin/admin-store.js';
import type { User } from '../../core/users/user.js';
import { SECRET_KEY_NAME } from './migrations/0003-admin.js';
import { TOKEN_COLUMNS, toToken, toUser, USER_COLUMNS } from './rows.js';
import type { Database } from './schema.js';
import type { SqlCodec } from './sql-codec.js';

/** The admin page's tables (migration 0003), beside tessera's own. */
interface AdminDatabase extends Database {
  tessera_admin_session: {
    digest: string;
    user_id: number;
    user_hash: string;
    // PostgreSQL returns a bigint as a string.
    expires: number | string;
  };
  tessera_secret: { name: string; value: string };
}

/** `AdminStore` on a SQL database; `guard` is the store's migration check and error translation. */
export class SqlAdminStore implements AdminStore {
  readonly #db: Kysely<AdminDatabase>;
  readonly #codec: SqlCodec;
  readonly #guard: <T>(work: () => Promise<T>) => Promise<T>;

  constructor(
    db: Kysely<Database>,
    codec: SqlCodec,
    guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {
    this.#db = db as unknown as Kysely<AdminDatabase>;
    this.#codec = codec;
    this.#guard = guard;
  }

  storedSecretKey(): Promise<string> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('tessera_secret')
        .select('value')
        .where('name', '=', SECRET_KEY_NAME)
        .executeTakeFirstOrThrow();
      return row.value;
    });
  }

  createSession(digest: string, session: AdminSession): Promise<void> {
    return this.#guard(async () => {
      await this.#db
        .insertInto('tessera_admin_session')
        .values({
          digest,
          user_id: session.userId,
          user_hash: session.userHash,
          expires: session.expires.getTime(),
        })
        .execute();
    });
  }

  findSession(digest: string): Promise<AdminSession | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('tessera_admin_session')
        .select(['user_id', 'user_hash', 'expires'])
        .where('digest', '=', digest)
        .executeTakeFirst();
      if (!row) return null;
      return {
        userId: row.user_id,
        userHash: row.user_hash,
        expires: new Date(Number(row.expires)),
      };
    });
  }

  deleteSession(digest: string): Promise<void> {
    return this.#guard(async () => {
      await this.#db.deleteFrom('tessera_admin_session').where('digest', '=', digest).execute();
    });
  }

  deleteUserSessions(userId: number): Promise<void> {
    return this.#guard(async () => {
      await this.#db.deleteFrom('tessera_admin_session').where('user_id', '=', userId).execute();
    });
  }

  deleteExpiredSessions(now: Date): Promise<number> {
    return this.#guard(async () => {
      const result = await this.#db
        .deleteFrom('tessera_admin_session')
        .where('expires', '<=', now.getTime())
        .executeTakeFirstOrThrow();
      return Number(result.numDeletedRows);
    });
  }

  tokenPage(query: {
    readonly userId?: number;
    readonly beforeId?: number;
    readonly limit: number;
  }): Promise<KeysetPage<ListedToken>> {
    return this.#guard(async () => {
      // Keyset pagination on the primary key: each page is an index range scan of `limit + 1`
      // rows however deep it is, where OFFSET would read and skip every row before it.
      let select = this.#db.selectFrom('tessera_token').select(TOKEN_COLUMNS);
      if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
      if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const page = rows.slice(0, query.limit);
      const userIds = [...new Set(page.map((row) => row.user_id))];
      const users =
        userIds.length === 0
          ? []
          : await this.#db
              .selectFrom('auth_user')
              .select(['id', 'username'])
              .where('id', 'in', userIds)
              .execute();
      const names = new Map(users.map((user) => [user.id, user.username]));
      return {
        rows: page.map((row) => ({
          token: toToken(row, this.#codec),
          username: names.get(row.user_id) ?? '',
        })),
        next: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
      };
    });
  }

  userPage(query: {
    readonly search?: string;
    readonly beforeId?: number;
    readonly limit: number;
  }): Promise<KeysetPage<User>> {
    return this.#guard(async () => {
      let select = this.#db.selectFrom('auth_user').select(USER_COLUMNS);
      if (query.search) {
        // A prefix match with LIKE's wildcards escaped, so a search is taken literally; `!` is an
        // escape character all three databases accept (SQLite has no default one).
        const escaped = query.search.replace(/[!%_]/g, (character) => `!${character}`);
        select = select.where(sql<boolean>`username like ${`${escaped}%`} escape '!'`);
      }
      if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
      const rows = await select
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const page = rows.slice(0, query.limit);
      return {
        rows: page.map((row) => toUser(row, this.#codec)),
        next: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
      };
    });
  }
}
