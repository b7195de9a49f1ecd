import type { TokenStore, TokenUse } from '../store.js';
import type { Clock } from '../time/clock.js';
import type { Token } from './token.js';

/** A token's last use and a sliding expiry are written at most this often per token. */
export const TOKEN_USE_WRITE_INTERVAL_MS = 60_000;

/** Options of `TokenUseRecorder`. */
export interface TokenUseRecorderOptions {
  readonly store: Pick<TokenStore, 'recordTokenUses'>;
  readonly clock: Clock;
  /** Record `last_used` (sliding expiries are written either way). */
  readonly trackLastUsed: boolean;
  /** How long uses gather before one batched write; default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** Told when a batch could not be written; the requests it came from have long succeeded. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Records token uses off the request's path: a use is noted in memory, at most once a minute per
 * token, and written later in one batch. A failed batch is reported, never thrown at a request,
 * and the next use of those tokens tries again.
 */
export class TokenUseRecorder {
  readonly #options: TokenUseRecorderOptions;
  readonly #pending = new Map<number, { lastUsed?: Date; expires?: Date }>();
  // When this process last scheduled each write, so a busy token is not queued per request even
  // when the row it was read from (e.g. a cached one) still shows the old values.
  readonly #lastUsedAt = new Map<number, number>();
  readonly #slidTo = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: TokenUseRecorderOptions) {
    this.#options = options;
  }

  /** Notes one successful use of `token` at `now` (milliseconds); never waits, never throws. */
  noteUse(token: Token, now: number): void {
    let lastUsed: Date | undefined;
    if (this.#options.trackLastUsed) {
      const last = Math.max(
        token.lastUsed?.getTime() ?? -Infinity,
        this.#lastUsedAt.get(token.id) ?? -Infinity,
      );
      if (now - last >= TOKEN_USE_WRITE_INTERVAL_MS) {
        lastUsed = new Date(now);
        this.#lastUsedAt.set(token.id, now);
      }
    }
    let expires: Date | undefined;
    if (token.slidingSeconds !== null && token.expires !== null) {
      const target = Math.min(
        now + token.slidingSeconds * 1000,
        token.maxExpires?.getTime() ?? Infinity,
      );
      const current = Math.max(token.expires.getTime(), this.#slidTo.get(token.id) ?? -Infinity);
      if (target - current >= TOKEN_USE_WRITE_INTERVAL_MS) {
        expires = new Date(target);
        this.#slidTo.set(token.id, target);
      }
    }
    if (lastUsed === undefined && expires === undefined) return;
    const entry = this.#pending.get(token.id) ?? {};
    if (lastUsed) entry.lastUsed = lastUsed;
    if (expires) entry.expires = expires;
    this.#pending.set(token.id, entry);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#options.flushIntervalMs ?? 1000).unref();
  }

  /** Writes every noted use now; resolves once written (or reported as failed). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#writePending());
    return this.#flushing;
  }

  /** Stops the timer and writes what is pending (call at shutdown so nothing is lost). */
  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #writePending(): Promise<void> {
    if (this.#pending.size === 0) return;
    const uses: TokenUse[] = [...this.#pending].map(([id, use]) => ({ id, ...use }));
    this.#pending.clear();
    try {
      await this.#options.store.recordTokenUses(uses);
    } catch (error) {
      for (const use of uses) {
        this.#lastUsedAt.delete(use.id);
        this.#slidTo.delete(use.id);
      }
      this.#options.onError?.(error);
    }
    this.#forgetOldEntries();
  }

  // Entries older than the interval no longer hold anything back: drop them to bound memory.
  #forgetOldEntries(): void {
    const horizon = this.#options.clock.now() - TOKEN_USE_WRITE_INTERVAL_MS;
    for (const [id, at] of this.#lastUsedAt) if (at <= horizon) this.#lastUsedAt.delete(id);
    for (const [id, to] of this.#slidTo) if (to <= horizon) this.#slidTo.delete(id);
  }
}
