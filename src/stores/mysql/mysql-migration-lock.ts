import { type DialectAdapter, type Kysely, MysqlAdapter, MysqlDialect, sql } from 'kysely';

/** The `GET_LOCK` name `tessera migrate` holds on MySQL (server-wide, as such locks are). */
export const MYSQL_MIGRATION_LOCK = 'tessera_migration';

/**
 * Kysely's MySQL adapter, except that a migration lock not granted is an error. Kysely's own runs
 * `GET_LOCK` without reading its answer: 0 after a timeout, or NULL when `max_statement_time`
 * interrupts the wait, and it would migrate beside the node that holds the lock.
 */
export class CheckedMysqlAdapter extends MysqlAdapter {
  readonly #waitSeconds: number;

  /** `waitSeconds`: how long to wait for another node's migration to finish. */
  constructor(waitSeconds: number) {
    super();
    this.#waitSeconds = waitSeconds;
  }

  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    const { rows } = await sql<{ granted: number | null }>`select get_lock(${sql.lit(
      MYSQL_MIGRATION_LOCK,
    )}, ${sql.lit(this.#waitSeconds)}) as granted`.execute(db);
    if (rows[0]?.granted !== 1) {
      throw new Error('another node held the migration lock for longer than the statement timeout');
    }
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`select release_lock(${sql.lit(MYSQL_MIGRATION_LOCK)})`.execute(db);
  }
}

/** Kysely's MySQL dialect with `CheckedMysqlAdapter`. */
export class CheckedMysqlDialect extends MysqlDialect {
  readonly #waitSeconds: number;

  constructor(config: ConstructorParameters<typeof MysqlDialect>[0], waitSeconds: number) {
    super(config);
    this.#waitSeconds = waitSeconds;
  }

  override createAdapter(): DialectAdapter {
    return new CheckedMysqlAdapter(this.#waitSeconds);
  }
}
