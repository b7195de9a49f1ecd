import { loadOptionalExport } from '../../core/config/optional-package.js';
import {
  type Invalidation,
  type InvalidationNotPublished,
  parseInvalidation,
} from '../../core/invalidation.js';
import type { InvalidationChannel } from '../../core/invalidation-channel.js';

/** The Redis channel tessera publishes invalidations on. */
export const REDIS_INVALIDATION_CHANNEL = 'tessera:invalidation';

/** The part of an ioredis client pub/sub needs (structural, so `ioredis` stays optional). */
interface PubSubClient {
  connect(): Promise<void>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
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
  /** Told when a change's invalidation could not be published (other nodes keep it cached). */
  readonly onNotPublished?: (failure: InvalidationNotPublished) => void;
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
    // ioredis waits this long for a socket to close after disconnect(), even one that never
    // opened (its default, 2 s, held every CLI command with an unreachable Redis that long).
    disconnectTimeout: 100,
  });
  redis.on('error', () => {});
  return redis;
}

/**
 * A publisher connection, ready within the connect timeout (ioredis bounds only the TCP connect,
 * so a server that accepts and never answers would hold a revocation forever), or the driver's
 * own reason it could not connect (its promise says only "Connection is closed.").
 */
async function connectedPublisher(
  options: RedisInvalidationOptions,
  opened: Set<PubSubClient>,
): Promise<PubSubClient> {
  const redis = await client(options, false);
  opened.add(redis);
  let lastError: Error | undefined;
  redis.on('error', (error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${options.connectTimeoutMs} ms`)),
      options.connectTimeoutMs,
    );
  });
  try {
    await Promise.race([redis.connect(), timeUp]);
    return redis;
  } catch (error) {
    opened.delete(redis);
    redis.disconnect();
    throw lastError ?? error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Invalidations over Redis pub/sub, for any store: published after the change commits (by the
 * server and the CLI alike), heard by a subscriber connection on each node. The subscriber is up
 * only between (re)subscribing and the next dropped connection. A publish that fails throws
 * (the store reports it) and drops the publisher, so the next change connects afresh.
 */
export function redisInvalidationChannel(options: RedisInvalidationOptions): InvalidationChannel {
  let publisher: Promise<PubSubClient> | undefined;
  const publishers = new Set<PubSubClient>();
  const subscribers = new Set<PubSubClient>();
  return {
    name: 'Redis',
    ...(options.onNotPublished ? { onNotPublished: options.onNotPublished } : {}),
    async afterCommit(invalidations: readonly Invalidation[]) {
      publisher ??= connectedPublisher(options, publishers);
      const connecting = publisher;
      try {
        const redis = await connecting;
        for (const invalidation of invalidations) {
          await redis.publish(REDIS_INVALIDATION_CHANNEL, JSON.stringify(invalidation));
        }
      } catch (error) {
        if (publisher === connecting) publisher = undefined;
        void connecting.then(
          (redis) => {
            publishers.delete(redis);
            redis.disconnect();
          },
          () => {},
        );
        throw new Error(withoutPassword(error, options.url));
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
      // The store waited for every publish before closing: nothing is left to flush.
      publisher = undefined;
      for (const redis of publishers) redis.disconnect();
      publishers.clear();
    },
  };
}

/** A driver error's message, with the URL's password masked should the driver ever repeat it. */
function withoutPassword(error: unknown, url: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const password = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : '';
  return password === '' ? message : message.replaceAll(password, '***');
}
