import type { Kysely } from 'kysely';
import type { Invalidation, InvalidationSubscriber } from '../../core/invalidation.js';
import type { Database } from './schema.js';

/** A way invalidations travel between processes (PostgreSQL NOTIFY/LISTEN, Redis pub/sub). */
export interface InvalidationChannel {
  /** Runs inside the transaction that makes the change, so it is sent only if it commits. */
  inTransaction?(trx: Kysely<Database>, invalidations: readonly Invalidation[]): Promise<void>;
  /** Runs after the change committed. */
  afterCommit?(invalidations: readonly Invalidation[]): Promise<void>;
  /** Listens for other processes' invalidations; returns the function that stops. */
  listen(subscriber: InvalidationSubscriber): () => void;
  close(): Promise<void>;
}

/**
 * Fans invalidations out: to this process's subscribers after each commit, and through every
 * channel to other processes. A subscriber hears "channel up" only while every channel is up.
 */
export class InvalidationHub {
  readonly #channels: InvalidationChannel[] = [];
  readonly #subscribers = new Set<InvalidationSubscriber>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  /** Adds a channel; subscribers added later listen on it too. */
  addChannel(channel: InvalidationChannel): void {
    this.#channels.push(channel);
  }

  get sendsInTransaction(): boolean {
    return this.#channels.some((channel) => channel.inTransaction);
  }

  async inTransaction(
    trx: Kysely<Database>,
    invalidations: readonly Invalidation[],
  ): Promise<void> {
    for (const channel of this.#channels) await channel.inTransaction?.(trx, invalidations);
  }

  /** Tells this process's subscribers at once, then the channels; never throws. */
  committed(invalidations: readonly Invalidation[]): void {
    for (const subscriber of this.#subscribers) {
      for (const invalidation of invalidations) subscriber.invalidate(invalidation);
    }
    for (const channel of this.#channels) {
      // A failed publish leaves other nodes to their cache TTL; it is reported, never thrown.
      channel.afterCommit?.(invalidations).catch(this.#onError);
    }
  }

  subscribe(subscriber: InvalidationSubscriber): () => void {
    this.#subscribers.add(subscriber);
    const states = this.#channels.map(() => false);
    let reported: boolean | undefined;
    const report = () => {
      const up = states.every(Boolean);
      if (up !== reported) {
        reported = up;
        subscriber.setChannelUp(up);
      }
    };
    const stops = this.#channels.map((channel, index) =>
      channel.listen({
        invalidate: (invalidation) => subscriber.invalidate(invalidation),
        setChannelUp: (up) => {
          states[index] = up;
          report();
        },
      }),
    );
    report();
    return () => {
      this.#subscribers.delete(subscriber);
      for (const stop of stops) stop();
    };
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
    for (const channel of this.#channels) await channel.close().catch(this.#onError);
  }
}
