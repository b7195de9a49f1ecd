/** What a `BoundedMap` holds: a value that knows when it expires and its estimated size. */
export interface BoundedValue {
  /** When the value has nothing left to count (ms); swept after. */
  expiresAt: number;
  /** Estimated bytes held by the value and its key. */
  bytes: number;
  /** Whether the map still holds the value (false once swept or evicted). */
  held: boolean;
}

/** Bounds of a `BoundedMap`. */
export interface BoundedMapOptions {
  readonly maxKeys: number;
  readonly maxBytes: number;
  /** How often (in clock time) expired values are swept. */
  readonly sweepIntervalMs: number;
}

/**
 * A Map bounded in keys and in estimated bytes: expired values are swept now and then, and past
 * either bound the least recently written values go first (a Map iterates in insertion order, so
 * re-inserting on write keeps that order without a list of its own).
 */
export class BoundedMap<V extends BoundedValue> {
  readonly #values = new Map<string, V>();
  readonly #options: BoundedMapOptions;
  #bytes = 0;
  #nextSweep = Number.NEGATIVE_INFINITY;

  constructor(options: BoundedMapOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#values.size;
  }

  /** The sum of the values' estimated bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  /** Stores `value` as the most recently written, then enforces the bounds. */
  write(key: string, value: V, bytes: number, now: number): void {
    const old = this.#values.get(key);
    if (old !== undefined) {
      this.#bytes -= old.bytes;
      this.#values.delete(key);
    }
    value.bytes = bytes;
    value.held = true;
    this.#bytes += bytes;
    this.#values.set(key, value);
    if (this.#values.size > this.#options.maxKeys || this.#bytes > this.#options.maxBytes) {
      this.#evict(now);
    }
  }

  /** Records a new size for a value changed in place, without moving it in the order. */
  resize(value: V, bytes: number): void {
    if (!value.held) return;
    this.#bytes += bytes - value.bytes;
    value.bytes = bytes;
  }

  /** Drops expired values, at most once per sweep interval. */
  sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#options.sweepIntervalMs;
    for (const [key, value] of this.#values) if (value.expiresAt <= now) this.#drop(key, value);
  }

  clear(): void {
    for (const value of this.#values.values()) value.held = false;
    this.#values.clear();
    this.#bytes = 0;
  }

  #evict(now: number): void {
    this.#nextSweep = Number.NEGATIVE_INFINITY;
    this.sweep(now);
    for (const [key, value] of this.#values) {
      if (this.#values.size <= this.#options.maxKeys && this.#bytes <= this.#options.maxBytes) {
        break;
      }
      this.#drop(key, value);
    }
  }

  #drop(key: string, value: V): void {
    this.#values.delete(key);
    this.#bytes -= value.bytes;
    value.held = false;
  }
}
