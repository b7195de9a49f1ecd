import { drfWait, waitUntilFree } from './sliding-window.js';
import type { ThrottleBackend, ThrottleDecision } from './throttle-backend.js';

/** Options of `MemoryThrottleBackend`. */
export interface MemoryThrottleBackendOptions {
  /** Most keys kept; beyond it the least recently written go first. Default 100,000. */
  readonly maxKeys?: number;
  /** How often (in clock time) keys whose whole log has expired are dropped. Default 60 s. */
  readonly sweepIntervalMs?: number;
}

interface SlidingLog {
  /** Timestamps in ascending order (DRF keeps them newest first; only the order's name differs). */
  readonly entries: number[];
  /** When the newest entry leaves the window, so the whole log can go. */
  expiresAt: number;
}

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });

/**
 * Sliding logs in this process's memory, as DRF's default cache keeps them. Memory stays
 * bounded: idle keys are swept once their log has expired, and at most `maxKeys` are kept.
 * Several processes need a shared backend (Redis) to count together.
 * @example
 * const backend = new MemoryThrottleBackend();
 * await backend.hit('throttle_anon_203.0.113.9', clock.now(), 100, 86_400_000);
 */
export class MemoryThrottleBackend implements ThrottleBackend {
  readonly #logs = new Map<string, SlidingLog>();
  readonly #maxKeys: number;
  readonly #sweepIntervalMs: number;
  #nextSweep = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryThrottleBackendOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isSafeInteger(this.#maxKeys) || this.#maxKeys < 1) {
      throw new RangeError('MemoryThrottleBackend needs a positive integer maxKeys.');
    }
  }

  /** Keys held now (for tests and monitoring). */
  get size(): number {
    return this.#logs.size;
  }

  async hit(key: string, now: number, limit: number, durationMs: number) {
    this.#sweep(now);
    const entries = this.#current(key, now, durationMs);
    if (entries.length >= limit) {
      return {
        allowed: false,
        wait: drfWait(entries.length, entries[0] ?? null, now, limit, durationMs),
      };
    }
    this.#append(key, entries, now, limit, durationMs);
    return ALLOWED;
  }

  async peek(key: string, now: number, limit: number, durationMs: number) {
    const entries = this.#current(key, now, durationMs);
    if (entries.length < limit) return ALLOWED;
    const freeing = entries[entries.length - limit];
    return {
      allowed: false,
      wait: freeing === undefined ? null : waitUntilFree(freeing, now, durationMs),
    };
  }

  async record(key: string, now: number, limit: number, durationMs: number): Promise<void> {
    this.#sweep(now);
    this.#append(key, this.#current(key, now, durationMs), now, limit, durationMs);
  }

  async close(): Promise<void> {
    this.#logs.clear();
  }

  // The log's entries still inside the window; DRF drops those at or before `now - duration`.
  #current(key: string, now: number, durationMs: number): number[] {
    const log = this.#logs.get(key);
    if (log === undefined) return [];
    const cutoff = now - durationMs;
    let expired = 0;
    while (expired < log.entries.length && (log.entries[expired] as number) <= cutoff) expired++;
    if (expired > 0) log.entries.splice(0, expired);
    return log.entries;
  }

  #append(key: string, entries: number[], now: number, limit: number, durationMs: number): void {
    // Sorted insert, so a clock set backwards keeps the order a Redis sorted set would have.
    let at = entries.length;
    while (at > 0 && (entries[at - 1] as number) > now) at--;
    entries.splice(at, 0, now);
    // Only the newest `limit` entries decide anything; older ones would only cost memory.
    if (entries.length > limit) entries.splice(0, entries.length - Math.max(limit, 0));
    // Re-inserting moves the key to the end of the Map's order: least recently written first.
    this.#logs.delete(key);
    const newest = entries[entries.length - 1] ?? now;
    this.#logs.set(key, { entries, expiresAt: newest + durationMs });
    if (this.#logs.size > this.#maxKeys) this.#evict(now);
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#sweepIntervalMs;
    for (const [key, log] of this.#logs) if (log.expiresAt <= now) this.#logs.delete(key);
  }

  #evict(now: number): void {
    this.#nextSweep = Number.NEGATIVE_INFINITY;
    this.#sweep(now);
    for (const key of this.#logs.keys()) {
      if (this.#logs.size <= this.#maxKeys) break;
      this.#logs.delete(key);
    }
  }
}
