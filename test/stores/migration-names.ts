import { tesseraMigrations } from '../../src/stores/sql/migrator.js';

/** Every migration tessera applies to a fresh database, in order (the same on every store). */
export const ALL_MIGRATIONS: readonly string[] = Object.keys(tesseraMigrations('sqlite'));

/** What `MigrationsPending` says of a database that was never migrated. */
export const NEVER_MIGRATED_MESSAGE =
  `The database has ${ALL_MIGRATIONS.length} unapplied migration(s): ${ALL_MIGRATIONS.join(', ')}. ` +
  'Call `await store.migrate()` or run `tessera migrate` first.';
