import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';
import type { SqlDialectName } from './sql-codec.js';

/**
 * The triggers that report revoking changes made by anyone (tessera on another node, the CLI, an
 * admin's SQL, a Django app): a token deleted or its key, owner, scopes changed or its expiry
 * brought forward; a user deleted or their `is_active`, `password`, `is_staff`, `is_superuser`
 * changed. Nothing else fires them: last-used writes, `last_login` and sliding expiry moving
 * forward leave every cache alone. On SQLite and MySQL/MariaDB they write `tessera_change`; on
 * PostgreSQL they NOTIFY tessera's channel with the payload tessera's own writes send.
 */
export const CHANGE_TRIGGERS = [
  'tessera_token_deleted',
  'tessera_token_changed',
  'tessera_user_deleted',
  'tessera_user_changed',
] as const;

type TriggerName = (typeof CHANGE_TRIGGERS)[number];

// The PostgreSQL channel; repeated here so the SQL store need not load the LISTEN module.
const NOTIFY_CHANNEL = 'tessera_invalidation';

function sqliteTrigger(name: TriggerName): string {
  const log = (column: string) =>
    `BEGIN INSERT INTO tessera_change (${column}, changed) VALUES (old.id, strftime('%Y-%m-%d %H:%M:%f', 'now')); END`;
  switch (name) {
    case 'tessera_token_deleted':
      return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER DELETE ON tessera_token ${log('token_id')}`;
    case 'tessera_token_changed':
      return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER UPDATE OF digest, user_id, scopes, expires ON tessera_token
        WHEN new.digest IS NOT old.digest OR new.user_id IS NOT old.user_id OR new.scopes IS NOT old.scopes
          OR (new.expires IS NOT old.expires
              AND (old.expires IS NULL OR julianday(new.expires) < julianday(old.expires)))
        ${log('token_id')}`;
    case 'tessera_user_deleted':
      return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER DELETE ON auth_user ${log('user_id')}`;
    case 'tessera_user_changed':
      return `CREATE TRIGGER IF NOT EXISTS ${name} AFTER UPDATE OF is_active, password, is_staff, is_superuser ON auth_user
        WHEN new.is_active IS NOT old.is_active OR new.password IS NOT old.password
          OR new.is_staff IS NOT old.is_staff OR new.is_superuser IS NOT old.is_superuser
        ${log('user_id')}`;
  }
}

// One statement per trigger (no BEGIN … END, so no client needs a DELIMITER). Text compares as
// BINARY: under a case-insensitive collation a password hash changing case would look unchanged.
function mysqlTrigger(name: TriggerName): string {
  const log = (column: string, when: string) =>
    `FOR EACH ROW INSERT INTO tessera_change (${column}, changed) SELECT OLD.id, UTC_TIMESTAMP(6) FROM DUAL WHERE ${when}`;
  const differ = (column: string) => `NOT (BINARY NEW.${column} <=> BINARY OLD.${column})`;
  switch (name) {
    case 'tessera_token_deleted':
      return `CREATE TRIGGER ${name} AFTER DELETE ON tessera_token ${log('token_id', 'TRUE')}`;
    case 'tessera_token_changed':
      return `CREATE TRIGGER ${name} AFTER UPDATE ON tessera_token ${log(
        'token_id',
        `${differ('digest')} OR NOT (NEW.user_id <=> OLD.user_id) OR ${differ('scopes')}
           OR (NOT (NEW.expires <=> OLD.expires)
               AND (OLD.expires IS NULL OR NEW.expires < OLD.expires))`,
      )}`;
    case 'tessera_user_deleted':
      return `CREATE TRIGGER ${name} AFTER DELETE ON auth_user ${log('user_id', 'TRUE')}`;
    case 'tessera_user_changed':
      return `CREATE TRIGGER ${name} AFTER UPDATE ON auth_user ${log(
        'user_id',
        `NOT (NEW.is_active <=> OLD.is_active) OR ${differ('password')}
           OR NOT (NEW.is_staff <=> OLD.is_staff) OR NOT (NEW.is_superuser <=> OLD.is_superuser)`,
      )}`;
  }
}

// `EXECUTE PROCEDURE` rather than `EXECUTE FUNCTION`: PostgreSQL 10 reads only the former.
function postgresTrigger(name: TriggerName): string {
  switch (name) {
    case 'tessera_token_deleted':
      return `CREATE TRIGGER ${name} AFTER DELETE ON tessera_token
        FOR EACH ROW EXECUTE PROCEDURE tessera_notify_token()`;
    case 'tessera_token_changed':
      return `CREATE TRIGGER ${name} AFTER UPDATE OF digest, user_id, scopes, expires ON tessera_token
        FOR EACH ROW WHEN (NEW.digest IS DISTINCT FROM OLD.digest OR NEW.user_id IS DISTINCT FROM OLD.user_id
          OR NEW.scopes IS DISTINCT FROM OLD.scopes
          OR (NEW.expires IS DISTINCT FROM OLD.expires
              AND (OLD.expires IS NULL OR NEW.expires < OLD.expires)))
        EXECUTE PROCEDURE tessera_notify_token()`;
    case 'tessera_user_deleted':
      return `CREATE TRIGGER ${name} AFTER DELETE ON auth_user
        FOR EACH ROW EXECUTE PROCEDURE tessera_notify_user()`;
    case 'tessera_user_changed':
      return `CREATE TRIGGER ${name} AFTER UPDATE OF is_active, password, is_staff, is_superuser ON auth_user
        FOR EACH ROW WHEN (NEW.is_active IS DISTINCT FROM OLD.is_active
          OR NEW.password IS DISTINCT FROM OLD.password
          OR NEW.is_staff IS DISTINCT FROM OLD.is_staff OR NEW.is_superuser IS DISTINCT FROM OLD.is_superuser)
        EXECUTE PROCEDURE tessera_notify_user()`;
  }
}

// The payloads match tessera's own NOTIFY (`{"tokenId":1}`), which `parseInvalidation` reads.
const POSTGRES_FUNCTIONS = [
  `CREATE OR REPLACE FUNCTION tessera_notify_token() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('${NOTIFY_CHANNEL}', json_build_object('tokenId', OLD.id)::text);
     RETURN NULL;
   END $$`,
  `CREATE OR REPLACE FUNCTION tessera_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM pg_notify('${NOTIFY_CHANNEL}', json_build_object('userId', OLD.id)::text);
     RETURN NULL;
   END $$`,
];

/** The change triggers this database holds (tessera's names only). */
export async function installedChangeTriggers(
  db: Kysely<Database>,
  dialect: SqlDialectName,
): Promise<Set<string>> {
  const query =
    dialect === 'sqlite'
      ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`
      : dialect === 'mysql'
        ? sql<{ name: string }>`SELECT trigger_name AS name FROM information_schema.triggers
            WHERE trigger_schema = DATABASE()`
        : sql<{ name: string }>`SELECT tgname AS name FROM pg_trigger
            WHERE NOT tgisinternal AND tgrelid IN ('auth_user'::regclass, 'tessera_token'::regclass)`;
  const { rows } = await query.execute(db);
  return new Set(rows.map((row) => row.name).filter((name) => isChangeTrigger(name)));
}

function isChangeTrigger(name: string): name is TriggerName {
  return (CHANGE_TRIGGERS as readonly string[]).includes(name);
}

/** The change triggers missing from this database, by name. */
export async function missingChangeTriggers(
  db: Kysely<Database>,
  dialect: SqlDialectName,
): Promise<TriggerName[]> {
  const installed = await installedChangeTriggers(db, dialect);
  return CHANGE_TRIGGERS.filter((name) => !installed.has(name));
}

/**
 * Makes the change triggers this database lacks; safe to run on every node at once (a trigger
 * another node made meanwhile counts as made). Returns why those it could not make failed (no
 * TRIGGER privilege; MySQL with binary logging and without `log_bin_trust_function_creators`):
 * the database stays usable, and the token cache stays off where triggers are missing.
 */
export async function installChangeTriggers(
  db: Kysely<Database>,
  dialect: SqlDialectName,
): Promise<Error[]> {
  const missing = await missingChangeTriggers(db, dialect);
  if (missing.length === 0) return [];
  const failures: Error[] = [];
  if (dialect === 'postgres') {
    try {
      for (const statement of POSTGRES_FUNCTIONS) await sql.raw(statement).execute(db);
    } catch (error) {
      return [asError(error)];
    }
  }
  const statementOf =
    dialect === 'sqlite' ? sqliteTrigger : dialect === 'mysql' ? mysqlTrigger : postgresTrigger;
  for (const name of missing) {
    try {
      await sql.raw(statementOf(name)).execute(db);
    } catch (error) {
      const madeMeanwhile = await installedChangeTriggers(db, dialect).then(
        (installed) => installed.has(name),
        () => false,
      );
      if (!madeMeanwhile) failures.push(asError(error));
    }
  }
  return failures;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
