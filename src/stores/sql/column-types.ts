import { type ColumnDataType, type RawBuilder, sql } from 'kysely';
import type { SqlDialectName } from './sql-codec.js';

/** A column type Kysely writes as is: one of its known names or raw SQL. */
export type ColumnTypeExpression = ColumnDataType | RawBuilder<unknown>;

/** The column types that differ between SQL databases, for tessera's migrations. */
export interface ColumnTypes {
  /** The integer primary key's type; `autoIncrement` says whether it needs the modifier. */
  readonly id: ColumnTypeExpression;
  readonly autoIncrement: boolean;
  readonly dateTime: ColumnTypeExpression;
  readonly boolean: ColumnTypeExpression;
  /** `varchar(150)` compared byte for byte, as Django compares usernames on SQLite and PostgreSQL. */
  readonly name150: ColumnTypeExpression;
  /** 64 lowercase hex characters, compared byte for byte. */
  readonly digest: ColumnTypeExpression;
  /** The default of a `text` column holding `["*"]`. */
  readonly allScopesDefault: string | RawBuilder<unknown>;
}

/**
 * Column types per database. SQLite's are exactly those Django's migrations create, so a table made
 * by either is the same; PostgreSQL's and MySQL's follow Django's backends too.
 */
export function columnTypes(dialect: SqlDialectName): ColumnTypes {
  switch (dialect) {
    case 'sqlite':
      return {
        id: 'integer',
        autoIncrement: true,
        dateTime: 'datetime',
        // Kysely does not know `bool`, but Django's DDL says `bool` and the test compares types.
        boolean: sql`bool`,
        name150: 'varchar(150)',
        digest: 'char(64)',
        allScopesDefault: '["*"]',
      };
    case 'postgres':
      return {
        id: 'serial',
        autoIncrement: false,
        dateTime: sql`timestamp with time zone`,
        boolean: 'boolean',
        name150: 'varchar(150)',
        digest: 'char(64)',
        allScopesDefault: '["*"]',
      };
    case 'mysql':
      return {
        id: 'integer',
        autoIncrement: true,
        dateTime: 'datetime(6)',
        boolean: sql`bool`,
        // MySQL's default collations ignore case, which would make `Bob` and `bob` one user, and
        // `utf8mb4_bin` ignores trailing spaces (PAD SPACE): `bob ` and `bob` would still be one.
        // MariaDB 10.2.2+ reads only `/*M!…*/`, MySQL 8.0.17+ only `/*!…*/`: each gets its NO PAD
        // binary collation, and an older server refuses the table rather than compare loosely.
        name150: sql.raw(
          'varchar(150) character set utf8mb4 collate ' +
            '/*M!100202 utf8mb4_nopad_bin */ /*!80017 utf8mb4_0900_bin */',
        ),
        digest: sql`char(64) character set ascii collate ascii_bin`,
        // MySQL 8 accepts a default on a `text` column only as a parenthesised expression.
        allScopesDefault: sql`('["*"]')`,
      };
  }
}
