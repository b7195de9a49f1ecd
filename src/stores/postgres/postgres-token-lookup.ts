import type { TokenLookup, TokenMatch } from '../../core/store.js';
import { type TokenMatchRow, tokenMatchSql, toTokenMatch } from '../sql/token-match.js';
import type { PgPool } from './pg-pool.js';
import { postgresCodec } from './postgres-codec.js';
import { translatePostgresError } from './postgres-errors.js';

// A named statement: each pooled connection parses and plans it once, then only binds a digest.
const STATEMENT_NAME = 'tessera_find_token_by_digest';
// Its columns follow `TOKEN_COLUMNS`/`USER_COLUMNS`, as SQLite's hand-written lookup must.
const STATEMENT_TEXT = tokenMatchSql('"', '$1');

/** The per-request lookup on PostgreSQL: one prepared read on the pool, off Kysely, no write. */
export class PostgresTokenLookup implements TokenLookup {
  readonly #pool: PgPool;

  constructor(pool: PgPool) {
    this.#pool = pool;
  }

  async findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    try {
      const { rows } = await this.#pool.query<TokenMatchRow>({
        name: STATEMENT_NAME,
        text: STATEMENT_TEXT,
        values: [digest],
      });
      const row = rows[0];
      return row === undefined ? null : toTokenMatch(row, postgresCodec);
    } catch (error) {
      throw translatePostgresError(error);
    }
  }
}
