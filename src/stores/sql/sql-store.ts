import { type Kysely, sql, type Updateable } from 'kysely';
import type { AdminStore } from '../../core/admin/admin-store.js';
import type { Invalidation, InvalidationSubscriber } from '../../core/invalidation.js';
import type {
  DeleteUserOptions,
  NewToken,
  NewUser,
  Store,
  TokenLookup,
  TokenMatch,
  TokenUse,
  UserChanges,
} from '../../core/store.js';
import {
  type DrfTokenImportOptions,
  type DrfTokenImportReport,
  DrfTokenTableMissing,
} from '../../core/tokens/drf-token-import.js';
import type { Token } from '../../core/tokens/token.js';
import type { User, UserWithPassword } from '../../core/users/user.js';
import { installChangeTriggers } from './change-triggers.js';
import { drfTokenTableExists, importDrfTokens } from './drf-token-import.js';
import { InvalidationHub, type SqlInvalidationChannel } from './invalidation-hub.js';
import { MigrationsPending } from './migrations-pending.js';
import { applyMigrations, createMigrator, listPendingMigrations } from './migrator.js';
import {
  insertedToken,
  TOKEN_COLUMNS,
  tokenInsertValues,
  toToken,
  toUser,
  toUserWithPassword,
  USER_COLUMNS,
  USER_COLUMNS_WITH_PASSWORD,
} from './rows.js';
import type { AuthUserTable, Database } from './schema.js';
import { SqlAdminStore } from './sql-admin-store.js';
import type { SqlCodec } from './sql-codec.js';
import { SqlDrfTokenReader } from './sql-drf-token-reader.js';
import { clearUserReferences } from './user-references.js';

/** What a SQL database brings to `SqlStore`. */
export interface SqlStoreParts {
  /** Kysely over the writing connection: every write and every read but the hot path. */
  readonly db: Kysely<Database>;
  readonly codec: SqlCodec;
  /** The per-request lookup, one prepared statement on the driver itself. */
  readonly lookup: TokenLookup;
  /** Writes token uses its own way (SQLite: a connection with a short busy timeout). */
  readonly recordTokenUses?: (uses: readonly TokenUse[]) => Promise<void>;
  /** Channels that carry invalidations to other processes (PostgreSQL LISTEN/NOTIFY, …). */
  readonly invalidationChannels?: readonly SqlInvalidationChannel[];
  /** Told about failures off the caller's path (e.g. a publish after commit). */
  readonly onBackgroundError?: (error: unknown) => void;
  /** Releases what the dialect opened beside Kysely, after Kysely is destroyed. */
  readonly release?: () => Promise<void> | void;
}

/**
 * A `Store` on any SQL database Kysely speaks: the queries are written once, and a dialect only
 * supplies connections, a codec and its hot-path statement. Every failure is a `DuplicateError`
 * or a `ServiceUnavailable` (see `SqlCodec.translateError`).
 */
export class SqlStore implements Store {
  readonly dialect: string;
  readonly #db: Kysely<Database>;
  readonly #codec: SqlCodec;
  readonly #lookup: TokenLookup;
  readonly #release: (() => Promise<void> | void) | undefined;
  readonly #recordTokenUses: ((uses: readonly TokenUse[]) => Promise<void>) | undefined;
  readonly #invalidations: InvalidationHub;
  #closed = false;
  // Whether the database was seen fully migrated; until then each use checks first (once at a
  // time), so a store opened before `migrate()` names what is missing instead of failing every
  // query on a missing table, and one migrated by another process is used once it is.
  #migrated = false;
  #checkingMigrations: Promise<void> | undefined;

  constructor(parts: SqlStoreParts) {
    this.dialect = parts.codec.dialect;
    this.#db = parts.db;
    this.#codec = parts.codec;
    this.#lookup = parts.lookup;
    this.#release = parts.release;
    this.#recordTokenUses = parts.recordTokenUses;
    this.#invalidations = new InvalidationHub(parts.onBackgroundError);
    for (const channel of parts.invalidationChannels ?? []) this.#invalidations.addChannel(channel);
  }

  #admin: AdminStore | undefined;

  /** The admin page's sessions, secret key and paged listings, on the same database. */
  admin(): AdminStore {
    this.#admin ??= new SqlAdminStore(this.#db, this.#codec, (work) => this.#guard(work));
    return this.#admin;
  }

  #drfTokens: SqlDrfTokenReader | undefined;

  /** Django's `authtoken_token`, read live on the same database (`drfTokens: 'read'`). */
  drfTokens(): SqlDrfTokenReader {
    this.#drfTokens ??= new SqlDrfTokenReader(this.#db, this.#codec, (work) => this.#guard(work));
    return this.#drfTokens;
  }

  findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    // The hot path pays for the check only until the database is seen migrated.
    if (this.#migrated) return this.#lookup.findTokenByDigest(digest);
    return this.#whenMigrated(() => this.#lookup.findTokenByDigest(digest));
  }

  createUser(user: NewUser): Promise<User> {
    return this.#guard(async () => {
      const codec = this.#codec;
      const created: User = {
        id: 0,
        username: user.username,
        email: user.email ?? '',
        firstName: user.firstName ?? '',
        lastName: user.lastName ?? '',
        isStaff: user.isStaff ?? false,
        isSuperuser: user.isSuperuser ?? false,
        isActive: user.isActive ?? true,
        lastLogin: null,
        dateJoined: new Date(user.dateJoined),
        isAuthenticated: true,
      };
      const query = this.#db.insertInto('auth_user').values({
        password: user.password,
        last_login: null,
        is_superuser: codec.encodeBoolean(created.isSuperuser),
        username: created.username,
        last_name: created.lastName,
        email: created.email,
        is_staff: codec.encodeBoolean(created.isStaff),
        is_active: codec.encodeBoolean(created.isActive),
        date_joined: codec.encodeDate(created.dateJoined),
        first_name: created.firstName,
      });
      const id = codec.returnsInsertedId
        ? (await query.returning('id').executeTakeFirstOrThrow()).id
        : Number((await query.executeTakeFirstOrThrow()).insertId);
      return { ...created, id };
    });
  }

  getUserByUsername(username: string): Promise<UserWithPassword | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('auth_user')
        .select(USER_COLUMNS_WITH_PASSWORD)
        .where('username', '=', username)
        .executeTakeFirst();
      return row === undefined ? null : toUserWithPassword(row, this.#codec);
    });
  }

  getUserById(id: number): Promise<UserWithPassword | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('auth_user')
        .select(USER_COLUMNS_WITH_PASSWORD)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toUserWithPassword(row, this.#codec);
    });
  }

  /** Every user, by id. */
  listUsers(): Promise<User[]> {
    return this.#guard(async () => {
      const rows = await this.#db
        .selectFrom('auth_user')
        .select(USER_COLUMNS)
        .orderBy('id')
        .execute();
      return rows.map((row) => toUser(row, this.#codec));
    });
  }

  updateUser(id: number, changes: UserChanges): Promise<void> {
    return this.#guard(async () => {
      const codec = this.#codec;
      const values: Updateable<AuthUserTable> = {};
      if (changes.password !== undefined) values.password = changes.password;
      if (changes.email !== undefined) values.email = changes.email;
      if (changes.isActive !== undefined) values.is_active = codec.encodeBoolean(changes.isActive);
      if (changes.isStaff !== undefined) values.is_staff = codec.encodeBoolean(changes.isStaff);
      if (changes.isSuperuser !== undefined) {
        values.is_superuser = codec.encodeBoolean(changes.isSuperuser);
      }
      if (changes.lastLogin !== undefined) values.last_login = codec.encodeDate(changes.lastLogin);
      if (Object.keys(values).length === 0) return;
      // A login's last_login decides nothing a cached token grants: emptying every node's
      // cache on each login would make a busy login page flush them all.
      const revoking = Object.keys(values).some((column) => column !== 'last_login');
      await this.#changing(async (trx, invalidate) => {
        await trx.updateTable('auth_user').set(values).where('id', '=', id).execute();
        // Any other field may decide a permission (is_active, is_staff, …): drop cached tokens.
        if (revoking) invalidate({ userId: id });
      });
    });
  }

  async deleteUser(id: number, options: DeleteUserOptions = {}): Promise<void> {
    const refusal = await this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        const refused = await clearUserReferences(
          trx as Kysely<unknown>,
          this.#codec.dialect,
          id,
          options.cascadeDjango ?? false,
        );
        if (refused) return refused;
        await trx.deleteFrom('tessera_token').where('user_id', '=', id).execute();
        await trx.deleteFrom('auth_user').where('id', '=', id).execute();
        invalidate({ userId: id });
        return null;
      }),
    );
    // Thrown here, past the translation of driver errors; the transaction wrote nothing.
    if (refusal) throw refusal;
  }

  createToken(token: NewToken): Promise<Token> {
    return this.#guard(() => this.#insertToken(this.#db, token));
  }

  async replaceDefaultToken(token: NewToken): Promise<Token> {
    requireKind(token, 'default');
    return this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        // Writing first takes SQLite's write lock at once, so the busy timeout covers the whole.
        const replaced = await trx
          .deleteFrom('tessera_token')
          .where('user_id', '=', token.userId)
          .where('kind', '=', 'default')
          .executeTakeFirstOrThrow();
        if (replaced.numDeletedRows > 0n) invalidate({ userId: token.userId });
        return this.#insertToken(trx, token);
      }),
    );
  }

  async createLoginToken(token: NewToken, limit: number): Promise<Token> {
    requireKind(token, 'login');
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError('limit must be a positive integer');
    }
    return this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        const created = await this.#insertToken(trx, token);
        // Ids are chosen in code rather than by `IN (… LIMIT)`, which MySQL refuses.
        const newestFirst = await trx
          .selectFrom('tessera_token')
          .select('id')
          .where('user_id', '=', token.userId)
          .where('kind', '=', 'login')
          .orderBy('created', 'desc')
          .orderBy('id', 'desc')
          .execute();
        const stale = newestFirst.slice(limit).map((row) => row.id);
        if (stale.length > 0) {
          await trx.deleteFrom('tessera_token').where('id', 'in', stale).execute();
          for (const tokenId of stale) invalidate({ tokenId });
        }
        return created;
      }),
    );
  }

  getToken(id: number): Promise<Token | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('tessera_token')
        .select(TOKEN_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? null : toToken(row, this.#codec);
    });
  }

  getDefaultToken(userId: number): Promise<Token | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .selectFrom('tessera_token')
        .select(TOKEN_COLUMNS)
        .where('user_id', '=', userId)
        .where('kind', '=', 'default')
        .executeTakeFirst();
      return row === undefined ? null : toToken(row, this.#codec);
    });
  }

  listTokens(filter?: { readonly userId?: number }): Promise<Token[]> {
    return this.#guard(async () => {
      let query = this.#db.selectFrom('tessera_token').select(TOKEN_COLUMNS);
      if (filter?.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      const rows = await query.orderBy('created').orderBy('id').execute();
      return rows.map((row) => toToken(row, this.#codec));
    });
  }

  deleteToken(id: number): Promise<boolean> {
    return this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        const result = await trx
          .deleteFrom('tessera_token')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (result.numDeletedRows === 0n) return false;
        invalidate({ tokenId: id });
        return true;
      }),
    );
  }

  deleteUserTokens(userId: number): Promise<number> {
    return this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        const result = await trx
          .deleteFrom('tessera_token')
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        if (result.numDeletedRows > 0n) invalidate({ userId });
        return Number(result.numDeletedRows);
      }),
    );
  }

  rotateToken(id: number, digest: string, preview: string): Promise<Token | null> {
    return this.#guard(() =>
      this.#changing(async (trx, invalidate) => {
        const result = await trx
          .updateTable('tessera_token')
          .set({ digest, preview })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
        invalidate({ tokenId: id });
        const row = await trx
          .selectFrom('tessera_token')
          .select(TOKEN_COLUMNS)
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return toToken(row, this.#codec);
      }),
    );
  }

  deleteExpiredTokens(now: Date): Promise<number> {
    return this.#guard(async () => {
      const encoded = this.#codec.encodeDate(now);
      const result = await this.#db
        .deleteFrom('tessera_token')
        .where('expires', 'is not', null)
        .where((eb) =>
          // SQLite stores dates as text, and text compares as text: `+021204-…` sorts before
          // `2026-…`, a `T` after a space. julianday() reads any date SQLite understands as a
          // number; text it cannot read (NULL) is an unreadable expiry, which counts as passed.
          this.#codec.dialect === 'sqlite'
            ? sql<boolean>`coalesce(julianday(expires) <= julianday(${encoded}), 1)`
            : eb('expires', '<=', encoded),
        )
        .executeTakeFirstOrThrow();
      return Number(result.numDeletedRows);
    });
  }

  recordTokenUses(uses: readonly TokenUse[]): Promise<void> {
    if (uses.length === 0) return Promise.resolve();
    const record = this.#recordTokenUses;
    if (record) return this.#whenMigrated(() => record(uses));
    return this.#guard(() =>
      this.#db.transaction().execute(async (trx) => {
        for (const use of uses) await writeTokenUse(trx, this.#codec, use);
      }),
    );
  }

  async importDrfTokens(options: DrfTokenImportOptions): Promise<DrfTokenImportReport> {
    const outcome = await this.#guard(async () => {
      // Read before the transaction: a failed statement would abort PostgreSQL's.
      if (!(await drfTokenTableExists(this.#db, this.#codec.dialect))) return null;
      try {
        return await this.#changing(async (trx, invalidate) => {
          const report = await importDrfTokens(trx, this.#codec, invalidate, options);
          // Thrown to roll the transaction back: nothing written, nothing invalidated.
          if (options.dryRun) throw new DryRunRolledBack(report);
          return report;
        });
      } catch (error) {
        if (error instanceof DryRunRolledBack) return error.report;
        throw error;
      }
    });
    if (outcome === null) throw new DrfTokenTableMissing();
    return outcome;
  }

  /**
   * Applies pending migrations, then makes any missing revocation trigger (see
   * change-triggers.ts). A trigger the database user may not make is a process warning, not a
   * failure: the store works, and its token caches stay off until a later run makes it.
   */
  async migrate(): Promise<string[]> {
    const applied = await this.#translated(() =>
      applyMigrations(createMigrator(this.#db, this.#codec.dialect)),
    );
    this.#migrated = true;
    const failures = await this.#translated(() =>
      installChangeTriggers(this.#db, this.#codec.dialect),
    );
    if (failures.length > 0) {
      process.emitWarning(
        `tessera could not make its revocation triggers (${failures[0]?.message}); token caches ` +
          'stay off on this database until tessera migrate runs as a user that may make them.',
        { type: 'ChangeTriggersMissing' },
      );
    }
    return applied;
  }

  pendingMigrations(): Promise<string[]> {
    return this.#translated(() =>
      listPendingMigrations(createMigrator(this.#db, this.#codec.dialect)),
    );
  }

  subscribeInvalidations(subscriber: InvalidationSubscriber): () => void {
    return this.#invalidations.subscribe(subscriber);
  }

  /** Adds a channel that carries invalidations to other processes (e.g. Redis). */
  addInvalidationChannel(channel: SqlInvalidationChannel): void {
    this.#invalidations.addChannel(channel);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#invalidations.close();
    await this.#db.destroy();
    await this.#release?.();
  }

  async #insertToken(db: Kysely<Database>, token: NewToken): Promise<Token> {
    const codec = this.#codec;
    const query = db.insertInto('tessera_token').values(tokenInsertValues(token, codec));
    const id = codec.returnsInsertedId
      ? (await query.returning('id').executeTakeFirstOrThrow()).id
      : Number((await query.executeTakeFirstOrThrow()).insertId);
    return insertedToken(id, token);
  }

  /**
   * Runs a write that may make cached tokens stale, in one transaction. What it invalidates goes
   * out inside the transaction (PostgreSQL NOTIFY, sent only on commit) and, after the commit,
   * to this process's subscribers and the other channels.
   */
  async #changing<T>(
    work: (trx: Kysely<Database>, invalidate: (invalidation: Invalidation) => void) => Promise<T>,
  ): Promise<T> {
    const invalidations: Invalidation[] = [];
    const result = await this.#db.transaction().execute(async (trx) => {
      const value = await work(trx, (invalidation) => invalidations.push(invalidation));
      if (invalidations.length > 0) await this.#invalidations.inTransaction(trx, invalidations);
      return value;
    });
    if (invalidations.length > 0) this.#invalidations.committed(invalidations);
    return result;
  }

  /** Runs a use of the tables: once the database is known migrated, with driver errors translated. */
  #guard<T>(work: () => Promise<T>): Promise<T> {
    return this.#whenMigrated(() => this.#translated(work));
  }

  async #translated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#codec.translateError(error);
    }
  }

  async #whenMigrated<T>(work: () => Promise<T>): Promise<T> {
    // A closed store cannot read its migrations (Kysely then lists them all as pending): the
    // use itself fails, as a store that cannot be reached does.
    if (!this.#migrated && !this.#closed) {
      this.#checkingMigrations ??= this.pendingMigrations()
        .then((pending) => {
          if (pending.length > 0) throw new MigrationsPending(pending);
          this.#migrated = true;
        })
        .finally(() => {
          this.#checkingMigrations = undefined;
        });
      await this.#checkingMigrations;
    }
    return work();
  }
}

/** One token use: last used as given; an expiry only ever moves forward (nodes may race). */
export async function writeTokenUse(
  db: Kysely<Database>,
  codec: SqlCodec,
  use: TokenUse,
): Promise<void> {
  if (use.lastUsed !== undefined) {
    await db
      .updateTable('tessera_token')
      .set({ last_used: codec.encodeDate(use.lastUsed) })
      .where('id', '=', use.id)
      .execute();
  }
  if (use.expires !== undefined) {
    const expires = codec.encodeDate(use.expires);
    await db
      .updateTable('tessera_token')
      .set({ expires })
      .where('id', '=', use.id)
      .where('expires', '<', expires)
      .execute();
  }
}

/** Carries a dry run's report out of the transaction it rolls back. */
class DryRunRolledBack extends Error {
  constructor(readonly report: DrfTokenImportReport) {
    super('dry run');
  }
}

function requireKind(token: NewToken, kind: NewToken['kind']): void {
  if (token.kind !== kind) throw new TypeError(`expected a ${kind} token, got ${token.kind}`);
}
