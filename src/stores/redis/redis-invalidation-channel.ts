import { type Invalidation, parseInvalidation } from '../../core/invalidation.js';
import { loadOptionalExport } from '../../core/optional-package.js';
import type { InvalidationChannel } from '../sql/invalidation-hub.js';

/** The Redis channel tessera publishes invalidations on. */
export const REDIS_INVALIDATION_CHANNEL = 'tessera:invalidation';

/** The part of an ioredis client pub/sub needs (structural, so `ioredis` stays optional). */
interface PubSubClient {
  connect(): Promise<void>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

type PubSubConstructor = new (url: string, options: Record<string, unknown>) => PubSubClient;

/** Options of the Redis invalidation channel. */
export interface RedisInvalidationOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
}

async function client(
  options: RedisInvalidationOptions,
  subscriber: boolean,
): Promise<PubSubClient> {
  const Redis = (await loadOptionalExport('ioredis', 'Redis', 'Redis')) as PubSubConstructor;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.connectTimeoutMs,
    // A publish while Redis is away fails at once (other nodes then rely on their TTL) instead
    // of queueing behind a revocation the caller already saw succeed.
    enableOfflineQueue: subscriber,
    maxRetriesPerRequest: 1,
    autoResubscribe: false,
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
  });
  redis.on('error', () => {});
  return redis;
}

/**
 * Invalidations over Redis pub/sub, for any store: published after the change commits (by the
 * server and the CLI alike), heard by a subscriber connection on each node. The subscriber is up
 * only between (re)subscribing and the next dropped connection.
 */
export function redisInvalidationChannel(options: RedisInvalidationOptions): InvalidationChannel {
  let publisher: Promise<PubSubClient> | undefined;
  const subscribers = new Set<PubSubClient>();
  return {
    async afterCommit(invalidations: readonly Invalidation[]) {
      publisher ??= client(options, false).then(async (redis) => {
        await redis.connect();
        return redis;
      });
      // A publisher that never connected is dropped, so the next revocation tries afresh.
      const redis = await publisher.catch((error: unknown) => {
        publisher = undefined;
        throw error;
      });
      for (const invalidation of invalidations) {
        await redis.publish(REDIS_INVALIDATION_CHANNEL, JSON.stringify(invalidation));
      }
    },
    listen(subscriber) {
      let redis: PubSubClient | undefined;
      let stopped = false;
      subscriber.setChannelUp(false);
      void client(options, true).then(
        (created) => {
          if (stopped) return;
          redis = created;
          subscribers.add(created);
          created.on('message', (channel, message) => {
            if (channel !== REDIS_INVALIDATION_CHANNEL) return;
            // Anything unreadable may hide a revocation: drop everything rather than guess.
            subscriber.invalidate(parseInvalidation(message) ?? { all: true });
          });
          created.on('ready', () => {
            created.subscribe(REDIS_INVALIDATION_CHANNEL).then(
              () => subscriber.setChannelUp(true),
              () => created.disconnect(),
            );
          });
          created.on('close', () => subscriber.setChannelUp(false));
          created.connect().catch(() => {});
        },
        () => {},
      );
      return () => {
        stopped = true;
        if (redis) {
          subscribers.delete(redis);
          redis.disconnect();
        }
      };
    },
    async close() {
      for (const redis of subscribers) redis.disconnect();
      subscribers.clear();
      const pending = publisher;
      publisher = undefined;
      if (pending) await (await pending).quit().catch(() => {});
    },
  };
}
