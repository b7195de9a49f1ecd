import type BetterSqlite3 from 'better-sqlite3';
import type { TokenLookup, TokenMatch } from '../../core/store.js';
import type { TokenKind } from '../../core/token.js';
import { decodeScopes } from '../sql/scopes-json.js';
import { decodeSqliteDateTime } from './sqlite-datetime.js';
import { translateSqliteError } from './sqlite-errors.js';

// One indexed read per request: the token by its digest's unique index, its user by primary key.
// Its columns are `TOKEN_COLUMNS` and `USER_COLUMNS` (rows.ts), which the PostgreSQL and MySQL
// lookups select through `tokenMatchSql` (token-match.ts): a column added there goes here too.
const FIND_TOKEN_BY_DIGEST = `SELECT
  t.id, t.user_id, t.kind, t.name, t.preview, t.scopes, t.created, t.expires, t.last_used,
  t.sliding_seconds, t.max_expires,
  u.username, u.email, u.first_name, u.last_name, u.is_staff, u.is_superuser, u.is_active,
  u.last_login, u.date_joined
FROM tessera_token AS t JOIN auth_user AS u ON u.id = t.user_id
WHERE t.digest = ?`;

interface TokenUserRow {
  readonly id: number;
  readonly user_id: number;
  readonly kind: TokenKind;
  readonly name: string | null;
  readonly preview: string;
  readonly scopes: string;
  readonly created: string;
  readonly expires: string | null;
  readonly last_used: string | null;
  readonly sliding_seconds: number | null;
  readonly max_expires: string | null;
  readonly username: string;
  readonly email: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly is_staff: number;
  readonly is_superuser: number;
  readonly is_active: number;
  readonly last_login: string | null;
  readonly date_joined: string;
}

/**
 * The per-request lookup on SQLite: one statement prepared once on better-sqlite3 itself, off
 * Kysely, on a connection that only reads (so it never sees another transaction's uncommitted rows).
 */
export class SqliteTokenLookup implements TokenLookup {
  readonly #connection: BetterSqlite3.Database;
  #statement: BetterSqlite3.Statement<[string], TokenUserRow> | undefined;

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
  }

  async findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    try {
      // Prepared on first use, so a store opened before `migrate` does not fail.
      this.#statement ??= this.#connection.prepare<[string], TokenUserRow>(FIND_TOKEN_BY_DIGEST);
      const row = this.#statement.get(digest);
      return row === undefined ? null : toMatch(row);
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}

function toMatch(row: TokenUserRow): TokenMatch {
  return {
    token: {
      id: row.id,
      userId: row.user_id,
      kind: row.kind,
      name: row.name,
      preview: row.preview,
      scopes: decodeScopes(row.scopes),
      created: decodeSqliteDateTime(row.created),
      expires: row.expires === null ? null : decodeSqliteDateTime(row.expires),
      lastUsed: row.last_used === null ? null : decodeSqliteDateTime(row.last_used),
      slidingSeconds: row.sliding_seconds,
      maxExpires: row.max_expires === null ? null : decodeSqliteDateTime(row.max_expires),
    },
    user: {
      id: row.user_id,
      username: row.username,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      isStaff: row.is_staff !== 0,
      isSuperuser: row.is_superuser !== 0,
      isActive: row.is_active !== 0,
      lastLogin: row.last_login === null ? null : decodeSqliteDateTime(row.last_login),
      dateJoined: decodeSqliteDateTime(row.date_joined),
      isAuthenticated: true,
    },
  };
}
