import type BetterSqlite3 from 'better-sqlite3';
import type { TokenLookup, TokenMatch } from '../../core/store.js';
import type { TokenKind } from '../../core/tokens/token.js';
import { decodeScopes } from '../sql/scopes-json.js';
import { decodeSqliteDateTime } from './sqlite-datetime.js';
import { translateSqliteError } from './sqlite-errors.js';

// One indexed read per request: the token by its digest's unique index, its user by primary key.
// Its columns are `TOKEN_COLUMNS` and `USER_COLUMNS` (rows.ts), which the PostgreSQL and MySQL
// lookups select through `tokenMatchSql` (token-match.ts): a column added there goes here too.
// The row comes back as one JSON array in one column: better-sqlite3 builds a row object key by
// key, which cost 9-12 µs for these 20 columns on the 2-core benchmark machine, against under
// 3 µs for the one JSON column and about 1 µs more for `JSON.parse` (docs/performance.md).
const FIND_TOKEN_BY_DIGEST = `SELECT json_array(
  t.id, t.user_id, t.kind, t.name, t.preview, t.scopes, t.created, t.expires, t.last_used,
  t.sliding_seconds, t.max_expires,
  u.username, u.email, u.first_name, u.last_name, u.is_staff, u.is_superuser, u.is_active,
  u.last_login, u.date_joined)
FROM tessera_token AS t JOIN auth_user AS u ON u.id = t.user_id
WHERE t.digest = ?`;

/** The selected columns, in the statement's order. */
type TokenUserTuple = [
  id: number,
  userId: number,
  kind: TokenKind,
  name: string | null,
  preview: string,
  scopes: string,
  created: string,
  expires: string | null,
  lastUsed: string | null,
  slidingSeconds: number | null,
  maxExpires: string | null,
  username: string,
  email: string,
  firstName: string,
  lastName: string,
  isStaff: number,
  isSuperuser: number,
  isActive: number,
  lastLogin: string | null,
  dateJoined: string,
];

/**
 * The per-request lookup on SQLite: one statement prepared once on better-sqlite3 itself, off
 * Kysely, on a connection that only reads (so it never sees another transaction's uncommitted rows).
 */
export class SqliteTokenLookup implements TokenLookup {
  readonly #connection: BetterSqlite3.Database;
  #statement: BetterSqlite3.Statement<[string], string> | undefined;

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
  }

  async findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    try {
      // Prepared on first use, so a store opened before `migrate` does not fail.
      this.#statement ??= this.#connection
        .prepare<[string], string>(FIND_TOKEN_BY_DIGEST)
        .pluck(true);
      const row = this.#statement.get(digest);
      return row === undefined ? null : toMatch(JSON.parse(row) as TokenUserTuple);
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}

function toMatch(row: TokenUserTuple): TokenMatch {
  const [expires, lastUsed, maxExpires, lastLogin] = [row[7], row[8], row[10], row[18]];
  return {
    token: {
      id: row[0],
      userId: row[1],
      kind: row[2],
      name: row[3],
      preview: row[4],
      scopes: decodeScopes(row[5]),
      created: decodeSqliteDateTime(row[6]),
      expires: expires === null ? null : decodeSqliteDateTime(expires),
      lastUsed: lastUsed === null ? null : decodeSqliteDateTime(lastUsed),
      slidingSeconds: row[9],
      maxExpires: maxExpires === null ? null : decodeSqliteDateTime(maxExpires),
    },
    user: {
      id: row[1],
      username: row[11],
      email: row[12],
      firstName: row[13],
      lastName: row[14],
      isStaff: row[15] !== 0,
      isSuperuser: row[16] !== 0,
      isActive: row[17] !== 0,
      lastLogin: lastLogin === null ? null : decodeSqliteDateTime(lastLogin),
      dateJoined: decodeSqliteDateTime(row[19]),
      isAuthenticated: true,
    },
  };
}
