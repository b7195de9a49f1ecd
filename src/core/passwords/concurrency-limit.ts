/**
 * Runs at most `maxActive` tasks at once; later ones wait in arrival order.
 * Password hashing goes through one so a login flood cannot occupy every libuv thread
 * (the pool has 4 by default), which would stall file and DNS work for the whole process.
 * @example
 * const limit = new ConcurrencyLimit(2);
 * const derived = await limit.run(() => nodePbkdf2(password, salt, iterations, 32, 'sha256'));
 */
export class ConcurrencyLimit {
  /** How many tasks may run at the same time. */
  readonly maxActive: number;
  private activeCount = 0;
  // FIFO of tasks waiting for a slot; a bounded queue would refuse work in `acquire` when full.
  private readonly queue: Array<() => void> = [];

  constructor(maxActive: number) {
    if (!Number.isSafeInteger(maxActive) || maxActive < 1) {
      throw new RangeError('ConcurrencyLimit needs a positive integer maxActive.');
    }
    this.maxActive = maxActive;
  }

  /** Tasks running now. */
  get active(): number {
    return this.activeCount;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
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
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `activeCount` never dips and overshoots.
    if (next) next();
    else this.activeCount--;
  }
}
