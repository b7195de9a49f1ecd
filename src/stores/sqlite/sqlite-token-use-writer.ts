import type BetterSqlite3 from 'better-sqlite3';
import type { TokenUse } from '../../core/store.js';
import { encodeSqliteDateTime } from './sqlite-datetime.js';
import { translateSqliteError } from './sqlite-errors.js';

/**
 * Writes batches of token uses on a connection of their own with a short busy timeout:
 * better-sqlite3 waits synchronously, so a lock held by another process (the CLI) may delay the
 * event loop by this much at most, once per batch, and never a request.
 */
export const TOKEN_USE_BUSY_TIMEOUT_MS = 50;

/** Makes the batch writer for a SQLite file opened by another connection. */
export function sqliteTokenUseWriter(
  connection: BetterSqlite3.Database,
): (uses: readonly TokenUse[]) => Promise<void> {
  let writeBatch: BetterSqlite3.Transaction<(uses: readonly TokenUse[]) => void> | undefined;
  // Prepared on first use, so a store opened before `migrate` does not fail.
  const prepare = () => {
    const setLastUsed = connection.prepare('UPDATE tessera_token SET last_used = ? WHERE id = ?');
    // An expiry only moves forward: another node may have slid it further already.
    const slideExpiry = connection.prepare(
      'UPDATE tessera_token SET expires = ? WHERE id = ? AND expires < ?',
    );
    return connection.transaction((uses: readonly TokenUse[]) => {
      for (const use of uses) {
        if (use.lastUsed) setLastUsed.run(encodeSqliteDateTime(use.lastUsed), use.id);
        if (use.expires) {
          const expires = encodeSqliteDateTime(use.expires);
          slideExpiry.run(expires, use.id, expires);
        }
      }
    });
  };
  return async (uses) => {
    if (uses.length === 0) return;
    try {
      writeBatch ??= prepare();
      // IMMEDIATE takes the write lock first, so waiting happens before any work is done.
      writeBatch.immediate(uses);
    } catch (error) {
      throw translateSqliteError(error);
    }
  };
}
