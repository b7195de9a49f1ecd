import type {
  Invalidation,
  InvalidationNotPublished,
  InvalidationSubscriber,
} from './invalidation.js';

/**
 * A way invalidations travel between processes (PostgreSQL NOTIFY/LISTEN, Redis pub/sub).
 * `Transaction` is what a store hands to `inTransaction`; a channel that never sends inside the
 * store's transaction (Redis publishes after the commit) leaves it `never`, so any store takes it.
 */
export interface InvalidationChannel<Transaction = never> {
  /** What failure reports call the channel, e.g. `Redis`. */
  readonly name?: string;
  /** Runs inside the transaction that makes the change, so it is sent only if it commits. */
  inTransaction?(trx: Transaction, invalidations: readonly Invalidation[]): Promise<void>;
  /** Runs after the change committed. */
  afterCommit?(invalidations: readonly Invalidation[]): Promise<void>;
  /**
   * Told when an after-commit send fails or is still unfinished when the store closes; without
   * it the store's background-error reporter is.
   */
  readonly onNotPublished?: (failure: InvalidationNotPublished) => void;
  /** Listens for other processes' invalidations; returns the function that stops. */
  listen(subscriber: InvalidationSubscriber): () => void;
  close(): Promise<void>;
}
