import { type Kysely, type Migration, Migrator } from 'kysely';
import { initialMigration } from './migrations/0001-initial.js';
import { changeLogMigration } from './migrations/0002-change-log.js';
import { adminMigration } from './migrations/0003-admin.js';
import { drfImportMigration } from './migrations/0004-drf-import.js';
import type { Database } from './schema.js';
import type { SqlDialectName } from './sql-codec.js';

/** Where Kysely records applied migrations; prefixed so it never meets Django's tables. */
export const MIGRATION_TABLE = 'tessera_migration';

/** Kysely's migration lock row lives here. */
export const MIGRATION_LOCK_TABLE = 'tessera_migration_lock';

/** tessera's migrations, by name, written in code so nothing is read from disk at run time. */
export function tesseraMigrations(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(dialect),
    '0002_change_log': changeLogMigration(dialect),
    '0003_admin': adminMigration(dialect),
    '0004_drf_import': drfImportMigration(dialect),
  };
}

/** A Kysely `Migrator` over tessera's migrations and tables. */
export function createMigrator(db: Kysely<Database>, dialect: SqlDialectName): Migrator {
  const migrations = tesseraMigrations(dialect);
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/** Applies pending migrations; returns the names applied, in order. */
export async function applyMigrations(migrator: Migrator): Promise<string[]> {
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return results.filter((result) => result.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied; reads only, so it works on a read-only database. */
export async function listPendingMigrations(migrator: Migrator): Promise<string[]> {
  const migrations = await migrator.getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
