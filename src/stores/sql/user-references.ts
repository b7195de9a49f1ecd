import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { SqlDialectName } from './sql-codec.js';
import { type UserForeignKey, userForeignKeys } from './user-foreign-keys.js';
import { type UserReference, UserReferenced } from './user-referenced.js';

/**
 * The Django and DRF tables whose foreign key to the user is `on_delete=CASCADE` in Django
 * (`LogEntry.user`, the `User.groups` and `User.user_permissions` join tables, DRF's
 * `Token.user`): Django deletes their rows with the user, so tessera may too when asked.
 */
export const DJANGO_CASCADE_TABLES: readonly string[] = [
  'django_admin_log',
  'auth_user_groups',
  'auth_user_user_permissions',
  'authtoken_token',
];

// tessera's own table with a key to the user: `deleteUser` deletes its rows itself.
const TESSERA_TABLES = new Set(['tessera_token']);

/**
 * Makes way for deleting a user, inside the caller's transaction: counts the rows of every other
 * table that refers to the user (from the catalogue), and when none would refuse the deletion,
 * deletes the user's rows in Django's tables (with `cascadeDjango`). Counting comes first because
 * Django makes its keys `DEFERRABLE INITIALLY DEFERRED` (SQLite, PostgreSQL): the database would
 * only complain at commit. Returns the refusal, having written nothing, or null.
 */
export async function clearUserReferences(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  userId: number,
  cascadeDjango: boolean,
): Promise<UserReferenced | null> {
  const keys = (await userForeignKeys(db, dialect)).filter(
    (key) => !key.handledByDatabase && !TESSERA_TABLES.has(key.name),
  );
  if (keys.length === 0) return null;
  const user = await lockedUser(db, dialect, userId, keys);
  if (!user) return null;

  const tables = new Map<string, UserForeignKey[]>();
  for (const key of keys) tables.set(key.name, [...(tables.get(key.name) ?? []), key]);
  const references: (UserReference & {
    where: RawBuilder<unknown>;
    target: RawBuilder<unknown>;
  })[] = [];
  for (const [name, tableKeys] of tables) {
    const [first] = tableKeys as [UserForeignKey];
    const target = first.schema === null ? sql.id(first.table) : sql.id(first.schema, first.table);
    const where = referring(tableKeys, user);
    const counted = await sql<{
      n: number | string;
    }>`SELECT count(*) AS n FROM ${target} WHERE ${where}`.execute(db);
    const rows = Number(counted.rows[0]?.n ?? 0);
    if (rows > 0) {
      references.push({
        table: name,
        rows,
        django: DJANGO_CASCADE_TABLES.includes(name),
        where,
        target,
      });
    }
  }
  // By name, in code: each database's collation would order `auth_user_groups` differently.
  references.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
  const described = references.map(({ table, rows, django }) => ({ table, rows, django }));
  if (references.some((reference) => !(cascadeDjango && reference.django))) {
    return new UserReferenced(userId, described, cascadeDjango);
  }
  for (const { target, where } of references) {
    await sql`DELETE FROM ${target} WHERE ${where}`.execute(db);
  }
  return null;
}

/**
 * Reads the user's columns the keys point at. On PostgreSQL and MySQL the row is locked until
 * commit: a new referring row checks its key against it, so none can appear between the count
 * and the delete. SQLite needs no lock: a write after another connection's commit fails whole.
 */
async function lockedUser(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
  userId: number,
  keys: readonly UserForeignKey[],
): Promise<Record<string, unknown> | undefined> {
  const columns = [
    ...new Set(keys.flatMap((key) => key.columns.map(([, referenced]) => referenced))),
  ];
  const lock = dialect === 'sqlite' ? sql`` : sql` FOR UPDATE`;
  const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(
    columns.map((column) => sql.id(column)),
  )} FROM auth_user WHERE id = ${userId}${lock}`.execute(db);
  return rows[0];
}

/** `(a = ? AND b = ?) OR (c = ?)`: a row referring to the user through any of the keys. */
function referring(
  keys: readonly UserForeignKey[],
  user: Record<string, unknown>,
): RawBuilder<unknown> {
  return sql.join(
    keys.map(
      (key) =>
        sql`(${sql.join(
          key.columns.map(([column, referenced]) => sql`${sql.id(column)} = ${user[referenced]}`),
          sql` AND `,
        )})`,
    ),
    sql` OR `,
  );
}
