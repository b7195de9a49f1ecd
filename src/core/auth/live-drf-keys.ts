import { ServiceUnavailable } from '../errors.js';
import type { Store, TokenMatch } from '../store.js';
import {
  type DrfTokenReader,
  DrfTokenTableAbsent,
  liveModeUnsupported,
} from '../tokens/drf-token-reader.js';
import { liveDrfToken } from '../tokens/live-drf-token.js';

/** Options of `LiveDrfKeys`. */
export interface LiveDrfKeysOptions {
  /** Django's `authtoken_token`, read live (`store.drfTokens()`). */
  readonly reader: DrfTokenReader;
  /** Told once, until the table is seen again, that live keys get 503 for want of the table. */
  readonly onTableAbsent?: (error: DrfTokenTableAbsent) => void;
}

/**
 * Live mode (`drfTokens: 'read'`): a 40-hex key that `tessera_token` does not hold is looked up
 * in Django's `authtoken_token` as it is now.
 *
 * Nothing is cached. A key Django deletes must stop within a second, and no write Django makes to
 * `authtoken_token` reaches tessera (tessera's change triggers watch its own tables, and it never
 * alters Django's): only a read per request keeps that bound whatever the clock or the load. So
 * each live key costs a read; importing the keys (`tessera tokens import-drf`) ends that.
 */
export class LiveDrfKeys {
  readonly #reader: DrfTokenReader;
  readonly #onTableAbsent: ((error: DrfTokenTableAbsent) => void) | undefined;
  #reported = false;

  constructor(options: LiveDrfKeysOptions) {
    this.#reader = options.reader;
    this.#onTableAbsent = options.onTableAbsent;
  }

  /** The key's user and live token (kind `drf`), read now; null when Django has no such key. */
  async find(key: string): Promise<TokenMatch | null> {
    let row: Awaited<ReturnType<DrfTokenReader['findDrfToken']>>;
    try {
      row = await this.#reader.findDrfToken(key);
    } catch (error) {
      // A missing table is a configuration problem, not an outage: said once, as what it is.
      if (!(await this.#tableAbsent())) throw error;
      const absent = new DrfTokenTableAbsent();
      if (!this.#reported) {
        this.#reported = true;
        this.#onTableAbsent?.(absent);
      }
      throw Object.assign(new ServiceUnavailable(), { cause: absent });
    }
    this.#reported = false;
    return row === null ? null : { token: liveDrfToken(key, row), user: row.user };
  }

  // Whether the read failed for want of the table (false when that cannot be told either).
  async #tableAbsent(): Promise<boolean> {
    try {
      return !(await this.#reader.hasDrfTokenTable());
    } catch {
      return false;
    }
  }
}

/**
 * Refuses to start live mode on `store` without Django's `authtoken_token`: `tessera serve` and
 * `buildServer` call it, so a misconfiguration stops the server at start rather than answering
 * every live key 503. Throws `DrfTokenTableAbsent`, or an `Error` when the store cannot read
 * Django's tables at all.
 */
export async function requireDrfTokenTable(store: Store): Promise<void> {
  const reader = store.drfTokens?.();
  if (reader === undefined) throw new Error(liveModeUnsupported(store.dialect));
  if (!(await reader.hasDrfTokenTable())) throw new DrfTokenTableAbsent();
}
