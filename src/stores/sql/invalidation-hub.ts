import type { Kysely } from 'kysely';
import {
  type Invalidation,
  InvalidationNotPublished,
  type InvalidationSubscriber,
} from '../../core/invalidation.js';
import type { InvalidationChannel } from '../../core/invalidation-channel.js';
import type { Database } from './schema.js';

/** A channel a SQL store sends through: inside its Kysely transaction, after the commit, or both. */
export type SqlInvalidationChannel = InvalidationChannel<Kysely<Database>>;

/** An after-commit send still on its way, and whether its failure was already reported. */
interface Publish {
  readonly channel: SqlInvalidationChannel;
  readonly invalidations: readonly Invalidation[];
  readonly settled: Promise<void>;
  reported: boolean;
}

/** How long `close()` waits for after-commit sends before giving up on them and reporting. */
export const PUBLISH_DRAIN_TIMEOUT_MS = 5000;

/**
 * Fans invalidations out: to this process's subscribers after each commit, and through every
 * channel to other processes. A subscriber hears "channel up" only while every channel is up.
 * Sends after a commit are tracked, so closing waits for them (a CLI that exits right after a
 * revocation still publishes it), and one that fails is reported, never thrown at the caller.
 */
export class InvalidationHub {
  readonly #channels: SqlInvalidationChannel[] = [];
  readonly #subscribers = new Set<InvalidationSubscriber>();
  readonly #publishes = new Set<Publish>();
  readonly #onError: (error: unknown) => void;
  readonly #drainTimeoutMs: number;

  constructor(
    onError: (error: unknown) => void = () => {},
    drainTimeoutMs = PUBLISH_DRAIN_TIMEOUT_MS,
  ) {
    this.#onError = onError;
    this.#drainTimeoutMs = drainTimeoutMs;
  }

  /** Adds a channel; subscribers added later listen on it too. */
  addChannel(channel: SqlInvalidationChannel): void {
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
      if (!channel.afterCommit) continue;
      const sending = channel.afterCommit(invalidations);
      const publish: Publish = {
        channel,
        invalidations,
        reported: false,
        // A failed publish leaves other nodes to their cache TTL: reported, never thrown.
        settled: sending.then(
          () => {},
          (error: unknown) => this.#report(publish, reasonOf(error)),
        ),
      };
      this.#publishes.add(publish);
      void publish.settled.then(() => this.#publishes.delete(publish));
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
        channelFailed: (error) =>
          subscriber.channelFailed ? subscriber.channelFailed(error) : warnListenerFailed(error),
      }),
    );
    report();
    return () => {
      this.#subscribers.delete(subscriber);
      for (const stop of stops) stop();
    };
  }

  /**
   * Waits (up to the drain timeout) for sends after commits, reports those still unfinished,
   * then closes the channels; a channel's own close cannot lose a publish that was waited for.
   */
  async close(): Promise<void> {
    this.#subscribers.clear();
    const pending = [...this.#publishes];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((done) => {
        timer = setTimeout(done, this.#drainTimeoutMs);
      });
      await Promise.race([Promise.all(pending.map((publish) => publish.settled)), timeUp]);
      clearTimeout(timer);
      for (const publish of this.#publishes) {
        this.#report(publish, `not sent within ${this.#drainTimeoutMs} ms`);
      }
    }
    for (const channel of this.#channels) await channel.close().catch(this.#onError);
  }

  #report(publish: Publish, reason: string): void {
    if (publish.reported) return;
    publish.reported = true;
    const { channel, invalidations } = publish;
    const failure = new InvalidationNotPublished(
      channel.name ?? 'a channel',
      invalidations,
      reason,
    );
    (channel.onNotPublished ?? this.#onError)(failure);
  }
}

// A listener failure nobody asked to hear still reaches the operator: Node prints warnings.
function warnListenerFailed(error: Error): void {
  process.emitWarning(error.message, { type: error.name });
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
