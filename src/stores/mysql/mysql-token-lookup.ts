import type { TokenLookup, TokenMatch } from '../../core/store.js';
import { type TokenMatchRow, tokenMatchSql, toTokenMatch } from '../sql/token-match.js';
import { mysqlCodec } from './mysql-codec.js';
import { translateMysqlError } from './mysql-errors.js';
import type { Mysql2Pool } from './mysql2-pool.js';

// Its columns follow `TOKEN_COLUMNS`/`USER_COLUMNS`, as SQLite's hand-written lookup must.
const STATEMENT = tokenMatchSql('`', '?');

/**
 * The per-request lookup on MySQL: one statement through `pool.execute`, which mysql2 prepares
 * once per connection and then only executes with the digest bound; off Kysely, no write.
 */
export class MysqlTokenLookup implements TokenLookup {
  readonly #pool: Mysql2Pool;

  constructor(pool: Mysql2Pool) {
    this.#pool = pool;
  }

  async findTokenByDigest(digest: string): Promise<TokenMatch | null> {
    try {
      const rows = await new Promise<TokenMatchRow[]>((resolve, reject) => {
        this.#pool.execute(STATEMENT, [digest], (error, result) => {
          if (error === null) resolve(result as TokenMatchRow[]);
          else reject(error);
        });
      });
      const row = rows[0];
      return row === undefined ? null : toTokenMatch(row, mysqlCodec);
    } catch (error) {
      throw translateMysqlError(error);
    }
  }
}
