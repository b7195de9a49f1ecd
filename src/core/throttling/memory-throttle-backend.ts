import { boundedKey } from './bounded-key.js';
import { BoundedMap, type BoundedValue } from './bounded-map.js';
import { drfWait, waitUntilFree } from './sliding-window.js';
import type {
  ThrottleBackend,
  ThrottleDecision,
  ThrottleRefusal,
  ThrottleReservation,
  WindowLimit,
} from './throttle-backend.js';

/** Options of `MemoryThrottleBackend`. */
export interface MemoryThrottleBackendOptions {
  /** Most keys kept; beyond it the least recently written go first. Default 100,000. */
  readonly maxKeys?: number;
  /** Most memory kept (estimated: keys, timestamps, members); likewise. Default 64 MiB. */
  readonly maxBytes?: number;
  /** How often (in clock time) keys whose whole log has expired are dropped. Default 60 s. */
  readonly sweepIntervalMs?: number;
}

interface SlidingLog extends BoundedValue {
  readonly kind: 'log';
  /** Timestamps in ascending order (DRF keeps them newest first; only the order's name differs). */
  readonly entries: number[];
}

interface RememberedSet extends BoundedValue {
  readonly kind: 'set';
  /** Member to when it was last added, oldest first. */
  readonly members: Map<string, number>;
}

// Estimates (V8, 64-bit): a Map entry, the object and its array or Map; a key's characters
// count two bytes each, as a two-byte string would; a timestamp is one 8-byte array slot.
const VALUE_BYTES = 160;
const MEMBER_BYTES = 80;
const ENTRY_BYTES = 8;
const keyBytes = (key: string) => 2 * key.length;
const logBytes = (key: string, log: SlidingLog) =>
  VALUE_BYTES + keyBytes(key) + ENTRY_BYTES * log.entries.length;

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });
const RELEASED: Promise<void> = Promise.resolve();

/**
 * Sliding logs in this process's memory, as DRF's default cache keeps them. Memory stays
 * bounded: idle keys are swept once their log has expired, keys longer than 200 characters are
 * shortened to a digest, and at most `maxKeys` keys and `maxBytes` are kept. Several processes
 * need a shared backend (Redis) to count together.
 * @example
 * const backend = new MemoryThrottleBackend();
 * await backend.hit('throttle_anon_203.0.113.9', clock.now(), 100, 86_400_000);
 */
export class MemoryThrottleBackend implements ThrottleBackend {
  readonly #table: BoundedMap<SlidingLog | RememberedSet>;

  constructor(options: MemoryThrottleBackendOptions = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    for (const [name, value] of [
      ['maxKeys', maxKeys],
      ['maxBytes', maxBytes],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(`MemoryThrottleBackend needs a positive integer ${name}.`);
      }
    }
    this.#table = new BoundedMap({
      maxKeys,
      maxBytes,
      sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    });
  }

  /** Keys held now (for tests and monitoring). */
  get size(): number {
    return this.#table.size;
  }

  /** Estimated bytes held now (for tests and monitoring); at most `maxBytes`. */
  get bytes(): number {
    return this.#table.bytes;
  }

  async hit(key: string, now: number, limit: number, durationMs: number) {
    this.#table.sweep(now);
    const bounded = boundedKey(key);
    const log = this.#current(bounded, now, durationMs);
    const count = log?.entries.length ?? 0;
    if (count >= limit) {
      return {
        allowed: false,
        wait: drfWait(count, log?.entries[0] ?? null, now, limit, durationMs),
      };
    }
    this.#append(bounded, log, now, durationMs, true);
    return ALLOWED;
  }

  // Synchronous inside: nothing can run between the checks and the writes, so it is atomic.
  reserve(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal> {
    this.#table.sweep(now);
    if (limits.length === 1) return this.#reserveOne(limits, now);
    const keys: string[] = [];
    const found: (SlidingLog | undefined)[] = [];
    let refused = false;
    let wait: number | null = null;
    for (const { key, limit, durationMs } of limits) {
      const bounded = boundedKey(key);
      const log = this.#current(bounded, now, durationMs);
      keys.push(bounded);
      found.push(log);
      const count = log?.entries.length ?? 0;
      if (count < limit) continue;
      refused = true;
      // The entry whose expiry brings the count below the limit; none for a limit of 0.
      const freeing = limit > 0 ? log?.entries[count - limit] : undefined;
      if (freeing !== undefined)
        wait = Math.max(wait ?? 0, waitUntilFree(freeing, now, durationMs));
    }
    if (refused) return Promise.resolve({ allowed: false, wait });
    const logs = limits.map(({ durationMs }, i) =>
      this.#append(keys[i] as string, found[i], now, durationMs, false),
    );
    return Promise.resolve(new MemoryReservation(limits, now, logs));
  }

  // The key-guess limit's case, on every token authentication: the same steps as `reserve`'s
  // without its arrays, which cost a valid key about a third more (`bench:authenticate`).
  #reserveOne(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal> {
    const { key, limit, durationMs } = limits[0] as WindowLimit;
    const bounded = boundedKey(key);
    const log = this.#current(bounded, now, durationMs);
    const count = log?.entries.length ?? 0;
    if (count >= limit) {
      const freeing = limit > 0 ? log?.entries[count - limit] : undefined;
      const wait = freeing === undefined ? null : waitUntilFree(freeing, now, durationMs);
      return Promise.resolve({ allowed: false, wait });
    }
    const written = this.#append(bounded, log, now, durationMs, false);
    return Promise.resolve(new MemoryReservation(limits, now, written));
  }

  release(reservation: ThrottleReservation): Promise<void> {
    // Only this backend's reservations hold entries here.
    if (!(reservation instanceof MemoryReservation)) return RELEASED;
    const { logs, at } = reservation;
    if (Array.isArray(logs)) for (const log of logs) this.#remove(log, at);
    else this.#remove(logs as SlidingLog, at);
    return RELEASED;
  }

  async remember(key: string, member: string, now: number, max: number, ttlMs: number) {
    this.#table.sweep(now);
    const bounded = boundedKey(key);
    const held = this.#table.get(bounded);
    const set: RememberedSet =
      held?.kind === 'set'
        ? held
        : { kind: 'set', members: new Map(), expiresAt: 0, bytes: 0, held: false };
    const members = set.members;
    for (const [each, at] of members) if (at <= now - ttlMs) members.delete(each);
    members.delete(member); // re-added below as the most recent
    members.set(member, now);
    for (const oldest of members.keys()) {
      if (members.size <= max) break;
      members.delete(oldest);
    }
    set.expiresAt = now + ttlMs;
    let bytes = VALUE_BYTES + keyBytes(bounded);
    for (const each of members.keys()) bytes += MEMBER_BYTES + keyBytes(each);
    this.#table.write(bounded, set, bytes, now);
  }

  async isRemembered(key: string, member: string, now: number, ttlMs: number) {
    const set = this.#table.get(boundedKey(key));
    const at = set?.kind === 'set' ? set.members.get(member) : undefined;
    return at !== undefined && at > now - ttlMs;
  }

  async close(): Promise<void> {
    this.#table.clear();
  }

  #remove(log: SlidingLog, at: number): void {
    const { entries } = log;
    const last = entries.length - 1;
    // Usually the newest entry: popped, where a splice would shift the array.
    const index = entries[last] === at ? last : entries.lastIndexOf(at);
    if (index === -1) return; // it left with its window already
    if (index === last) entries.pop();
    else entries.splice(index, 1);
    this.#table.resize(log, log.bytes - ENTRY_BYTES);
  }

  // The log at `key` with its entries at or before `now - duration` dropped (DRF's rule).
  #current(key: string, now: number, durationMs: number): SlidingLog | undefined {
    const log = this.#table.get(key);
    if (log?.kind !== 'log') return undefined;
    const { entries } = log;
    const cutoff = now - durationMs;
    let expired = 0;
    while (expired < entries.length && (entries[expired] as number) <= cutoff) expired++;
    if (expired > 0) {
      entries.splice(0, expired);
      this.#table.resize(log, log.bytes - ENTRY_BYTES * expired);
    }
    return log;
  }

  // Records `now` in the log at `key` (`current`, if already read). A log that had nothing in its
  // window moves to the recent end only when `alwaysMove` (a DRF hit) or when new: a reservation
  // that is released at once (a valid key) thus moves nothing in the Map.
  #append(
    key: string,
    current: SlidingLog | undefined,
    now: number,
    durationMs: number,
    alwaysMove: boolean,
  ): SlidingLog {
    const log: SlidingLog = current ?? {
      kind: 'log',
      entries: [],
      expiresAt: 0,
      bytes: 0,
      held: false,
    };
    const { entries } = log;
    const wasEmpty = entries.length === 0;
    if (wasEmpty || (entries[entries.length - 1] as number) <= now) entries.push(now);
    else {
      // Sorted insert, so a clock set backwards keeps the order a Redis sorted set would have.
      let at = entries.length;
      while (at > 0 && (entries[at - 1] as number) > now) at--;
      entries.splice(at, 0, now);
    }
    if (log.expiresAt < now + durationMs) log.expiresAt = now + durationMs;
    if (current !== undefined && wasEmpty && !alwaysMove) {
      this.#table.resize(log, log.bytes + ENTRY_BYTES);
    } else {
      this.#table.write(key, log, logBytes(key, log), now);
    }
    return log;
  }
}

/** A reservation that points at the log or logs it wrote, so releasing it needs no lookup. */
class MemoryReservation implements ThrottleReservation {
  readonly allowed = true as const;
  readonly id = '';
  constructor(
    readonly limits: readonly WindowLimit[],
    readonly at: number,
    readonly logs: SlidingLog | readonly SlidingLog[],
  ) {}
}
