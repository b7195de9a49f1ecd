import { boundedKey } from './bounded-key.js';
import { BoundedMap, type BoundedValue } from './bounded-map.js';
import { drfWait, waitUntilFree } from './sliding-window.js';
import type {
  RememberedSetLimit,
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
  /** When each attempt still in flight (neither kept nor released) was reserved, ascending. */
  readonly pending: number[];
}

interface RememberedSet extends BoundedValue {
  readonly kind: 'set';
  /** Member to when it was last added, oldest first. */
  readonly members: Map<string, number>;
}

// Estimates (V8, 64-bit): a Map entry, the object and its arrays or Map; a key's characters
// count two bytes each, as a two-byte string would; a failure is one 8-byte array slot. Attempts
// in flight are left out: at most the limit per key, they last only as long as their requests.
const VALUE_BYTES = 160;
const MEMBER_BYTES = 80;
const ENTRY_BYTES = 8;
const keyBytes = (key: string) => 2 * key.length;
const logBytes = (key: string, log: SlidingLog) =>
  VALUE_BYTES + keyBytes(key) + ENTRY_BYTES * log.entries.length;

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });
const RELEASED: Promise<void> = Promise.resolve();
const BUSY: ThrottleRefusal = Object.freeze({ allowed: false, wait: null, busy: true });
const BUSY_PROMISE = Promise.resolve(BUSY);

/**
 * What one window says to one more attempt: null when there is room, `BUSY` when attempts
 * still in flight fill it, or the refusal when failures do, with the exact wait until the
 * failure whose expiry frees a slot leaves (none for a limit of 0).
 */
function judge(
  log: SlidingLog | undefined,
  limit: number,
  now: number,
  durationMs: number,
): ThrottleRefusal | null {
  const failures = log?.entries.length ?? 0;
  if (failures >= limit) {
    const freeing = limit > 0 ? log?.entries[failures - limit] : undefined;
    return {
      allowed: false,
      wait: freeing === undefined ? null : waitUntilFree(freeing, now, durationMs),
    };
  }
  return failures + (log?.pending.length ?? 0) >= limit ? BUSY : null;
}

/** The refusal that waits longer (an unknown wait counts as none). */
function longerWait(a: ThrottleRefusal | null, b: ThrottleRefusal): ThrottleRefusal {
  if (a === null || (b.wait ?? 0) > (a.wait ?? 0)) return b;
  return a;
}

/** Inserts `time` in ascending `times`: at the end, unless a clock was set backwards. */
function insertSorted(times: number[], time: number): void {
  if (times.length === 0 || (times[times.length - 1] as number) <= time) {
    times.push(time);
    return;
  }
  // The order a Redis sorted set would keep.
  let at = times.length;
  while (at > 0 && (times[at - 1] as number) > time) at--;
  times.splice(at, 0, time);
}

/** Drops the times at or before `cutoff` (DRF's rule) from ascending `times`; says how many. */
function dropUpTo(times: number[], cutoff: number): number {
  let expired = 0;
  while (expired < times.length && (times[expired] as number) <= cutoff) expired++;
  if (expired > 0) times.splice(0, expired);
  return expired;
}

/** The attempt reserved at `at` in `log` has ended, kept or released. */
function settle(log: SlidingLog, at: number): void {
  const { pending } = log;
  const last = pending.length - 1;
  // Usually the newest: popped, where a splice would shift the array.
  const index = pending[last] === at ? last : pending.lastIndexOf(at);
  if (index === last) pending.pop();
  else if (index !== -1) pending.splice(index, 1);
}

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
        wait: drfWait({ count, oldest: log?.entries[0] ?? null, now, limit, durationMs }),
      };
    }
    this.#append(bounded, log, now, durationMs);
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
    let refusal: ThrottleRefusal | null = null;
    let busy = false;
    for (const { key, limit, durationMs } of limits) {
      const bounded = boundedKey(key);
      const log = this.#current(bounded, now, durationMs);
      keys.push(bounded);
      found.push(log);
      const verdict = judge(log, limit, now, durationMs);
      if (verdict === BUSY) busy = true;
      else if (verdict !== null) refusal = longerWait(refusal, verdict);
    }
    if (refusal !== null) return Promise.resolve(refusal);
    if (busy) return BUSY_PROMISE;
    const logs = limits.map(({ durationMs }, i) =>
      this.#hold(keys[i] as string, found[i], now, durationMs),
    );
    return Promise.resolve(new MemoryReservation(limits, now, logs));
  }

  // The key-guess limit's case, on every token authentication: `reserve`'s steps without its
  // three arrays, which are pure allocation for one window.
  #reserveOne(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal> {
    const { key, limit, durationMs } = limits[0] as WindowLimit;
    const bounded = boundedKey(key);
    const log = this.#current(bounded, now, durationMs);
    const verdict = judge(log, limit, now, durationMs);
    if (verdict === BUSY) return BUSY_PROMISE;
    if (verdict !== null) return Promise.resolve(verdict);
    const held = this.#hold(bounded, log, now, durationMs);
    return Promise.resolve(new MemoryReservation(limits, now, held));
  }

  /** Whether `reserve([limit], now)` would hold an attempt at once; holds nothing (see `ThrottleBackend`). */
  admitsNow(limit: WindowLimit, now: number): boolean {
    const bounded = boundedKey(limit.key);
    // Most addresses have no log at all: one Map read.
    if (this.#table.get(bounded) === undefined && limit.limit > 0) return true;
    return (
      judge(this.#current(bounded, now, limit.durationMs), limit.limit, now, limit.durationMs) ===
      null
    );
  }

  release(reservation: ThrottleReservation): Promise<void> {
    // Only this backend's reservations are in flight here.
    if (!(reservation instanceof MemoryReservation)) return RELEASED;
    const { logs, at } = reservation;
    if (Array.isArray(logs)) for (const log of logs) settle(log, at);
    else settle(logs as SlidingLog, at);
    return RELEASED;
  }

  keep(reservation: ThrottleReservation): Promise<void> {
    if (!(reservation instanceof MemoryReservation)) return RELEASED;
    const { logs, limits, at } = reservation;
    limits.forEach(({ key, durationMs }, i) => {
      settle((Array.isArray(logs) ? logs[i] : logs) as SlidingLog, at);
      // Into the log the table holds now: the reserving one may have been evicted meanwhile.
      const bounded = boundedKey(key);
      this.#append(bounded, this.#current(bounded, at, durationMs), at, durationMs);
    });
    return RELEASED;
  }

  async remember(key: string, member: string, now: number, limit: RememberedSetLimit) {
    const { max, ttlMs } = limit;
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

  // Counts one attempt in flight in the log at `key` (`current`, if already read). The Map's
  // order is left alone: an attempt released at once (a valid key) moves and writes nothing.
  #hold(key: string, current: SlidingLog | undefined, now: number, durationMs: number): SlidingLog {
    if (current !== undefined) {
      insertSorted(current.pending, now);
      if (current.expiresAt < now + durationMs) current.expiresAt = now + durationMs;
      return current;
    }
    const log: SlidingLog = {
      kind: 'log',
      entries: [],
      pending: [now],
      expiresAt: now + durationMs,
      bytes: 0,
      held: false,
    };
    this.#table.write(key, log, logBytes(key, log), now);
    return log;
  }

  // The log at `key` with its entries at or before `now - duration` dropped (DRF's rule).
  #current(key: string, now: number, durationMs: number): SlidingLog | undefined {
    const log = this.#table.get(key);
    if (log?.kind !== 'log') return undefined;
    const cutoff = now - durationMs;
    const expired = dropUpTo(log.entries, cutoff);
    if (expired > 0) this.#table.resize(log, log.bytes - ENTRY_BYTES * expired);
    // An attempt never ended (a bug, a crash of its request) leaves with its window too.
    dropUpTo(log.pending, cutoff);
    return log;
  }

  // Records `now` in the log at `key` (`current`, if already read), which becomes the most
  // recently written.
  #append(key: string, current: SlidingLog | undefined, now: number, durationMs: number): void {
    const log: SlidingLog = current ?? {
      kind: 'log',
      entries: [],
      pending: [],
      expiresAt: 0,
      bytes: 0,
      held: false,
    };
    insertSorted(log.entries, now);
    if (log.expiresAt < now + durationMs) log.expiresAt = now + durationMs;
    this.#table.write(key, log, logBytes(key, log), now);
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
