import { ServiceUnavailable } from '../errors.js';

/**
 * Runs at most `maxActive` tasks at once; later ones wait in arrival order, at most `maxWaiting`
 * of them, and any beyond are refused with `ServiceUnavailable` (503), after `refusalDelayMs`.
 * Password hashing goes through one so a login flood cannot occupy every hashing thread (nor,
 * for argon2, libuv's pool, which file and DNS work share), and cannot pile up logins that
 * would wait for seconds anyway.
 * @example
 * const limit = new ConcurrencyLimit(2, 16);
 * const derived = await limit.run(() => nodePbkdf2(password, salt, iterations, 32, 'sha256'));
 */
export class ConcurrencyLimit {
  /** How many tasks may run at the same time. */
  readonly maxActive: number;
  /** How many tasks may wait for a slot; unbounded by default. */
  readonly maxWaiting: number;
  /** How long a refusal waits before its 503 (`refuse`); 0 answers at once. */
  readonly refusalDelayMs: number;
  private activeCount = 0;
  // FIFO of tasks waiting for a slot.
  private readonly queue: Array<() => void> = [];

  constructor(maxActive: number, maxWaiting = Number.POSITIVE_INFINITY, refusalDelayMs = 0) {
    if (!Number.isSafeInteger(maxActive) || maxActive < 1) {
      throw new RangeError('ConcurrencyLimit needs a positive integer maxActive.');
    }
    if (
      maxWaiting !== Number.POSITIVE_INFINITY &&
      (!Number.isSafeInteger(maxWaiting) || maxWaiting < 0)
    ) {
      throw new RangeError('ConcurrencyLimit needs a non-negative integer maxWaiting.');
    }
    if (!Number.isSafeInteger(refusalDelayMs) || refusalDelayMs < 0) {
      throw new RangeError('ConcurrencyLimit needs a non-negative integer refusalDelayMs.');
    }
    this.maxActive = maxActive;
    this.maxWaiting = maxWaiting;
    this.refusalDelayMs = refusalDelayMs;
  }

  /**
   * Throws `ServiceUnavailable` (503) after `refusalDelayMs`. A flood of clients that resend as
   * soon as they are refused would otherwise keep the event loop busy answering 503s, and the
   * requests the limit protects would wait behind them; a refusal held a moment costs a timer.
   */
  async refuse(): Promise<never> {
    if (this.refusalDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.refusalDelayMs));
    }
    throw new ServiceUnavailable();
  }

  /** Tasks running now. */
  get active(): number {
    return this.activeCount;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** True when a task given now would be refused: every slot busy and the queue full. */
  get saturated(): boolean {
    return this.activeCount >= this.maxActive && this.queue.length >= this.maxWaiting;
  }

  /** Runs `task` once a slot is free and settles with its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.activeCount < this.maxActive) {
      this.activeCount++;
      return Promise.resolve();
    }
    // Refused without a place in the queue: a caller past the bound never waits for a hash.
    if (this.queue.length >= this.maxWaiting) return this.refuse();
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `activeCount` never dips and overshoots.
    if (next) next();
    else this.activeCount--;
  }
}
