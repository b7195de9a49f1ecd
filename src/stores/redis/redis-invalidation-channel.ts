import { loadOptionalExport } from '../../core/config/optional-package.js';
import {
  type Invalidation,
  type InvalidationNotPublished,
  parseInvalidation,
} from '../../core/invalidation.js';
import type { InvalidationChannel } from '../../core/invalidation-channel.js';
import {
  InvalidationListenerFailure,
  REFUSED_CREDENTIALS_FIRST_RETRY_MS,
  REFUSED_CREDENTIALS_LONGEST_RETRY_MS,
  withoutPassword,
} from '../invalidation-listener-failure.js';

/** The Redis channel tessera publishes invalidations on. */
export const REDIS_INVALIDATION_CHANNEL = 'tessera:invalidation';

/** The part of an ioredis client pub/sub needs (structural, so `ioredis` stays optional). */
interface PubSubClient {
  connect(): Promise<void>;
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  /** `reconnect`: drop this connection and let the retry strategy open the next one. */
  disconnect(reconnect?: boolean): void;
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

const LONGEST_RECONNECT_DELAY_MS = 2000;

// WRONGPASS: a wrong user or password; NOAUTH: the server wants a password the URL lacks.
function credentialsRefused(error: Error): boolean {
  return /^(WRONGPASS|NOAUTH)\b/.test(error.message);
}

async function client(
  options: RedisInvalidationOptions,
  subscriber: boolean,
  retryStrategy: (times: number) => number = (times) =>
    Math.min(times * 100, LONGEST_RECONNECT_DELAY_MS),
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
    retryStrategy,
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
  // Set by close(): the connections it ends are no failures to report.
  let closing = false;
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
      // ioredis reports a failure ('error') before it asks when to retry, so the report can say
      // when; refused credentials wait longer, as retrying cannot fix them.
      let attempts = 0;
      let refusedAttempts = 0;
      let nextRetryMs = 100;
      let reportedSinceReady = false;
      const report = (error: Error, refused: boolean) => {
        if (stopped || closing) return;
        attempts += 1;
        refusedAttempts = refused ? refusedAttempts + 1 : 0;
        nextRetryMs = refused
          ? Math.min(
              REFUSED_CREDENTIALS_FIRST_RETRY_MS * 2 ** (refusedAttempts - 1),
              REFUSED_CREDENTIALS_LONGEST_RETRY_MS,
            )
          : Math.min(attempts * 100, LONGEST_RECONNECT_DELAY_MS);
        reportedSinceReady = true;
        subscriber.channelFailed?.(
          new InvalidationListenerFailure('Redis', withoutPassword(error, options.url), {
            credentialsRefused: refused,
            retryInMs: nextRetryMs,
          }),
        );
      };
      subscriber.setChannelUp(false);
      void client(options, true, () => nextRetryMs).then(
        (created) => {
          if (stopped) return;
          redis = created;
          subscribers.add(created);
          created.on('message', (channel, message) => {
            if (channel !== REDIS_INVALIDATION_CHANNEL) return;
            // Anything unreadable may hide a revocation: drop everything rather than guess.
            subscriber.invalidate(parseInvalidation(message) ?? { all: true });
          });
          created.on('error', (error) => report(error, credentialsRefused(error)));
          created.on('ready', () => {
            created.subscribe(REDIS_INVALIDATION_CHANNEL).then(
              () => {
                attempts = 0;
                refusedAttempts = 0;
                reportedSinceReady = false;
                subscriber.setChannelUp(true);
              },
              (error: unknown) => {
                // A refused SUBSCRIBE (an ACL without the channel) reconnects and says why.
                const failure = error instanceof Error ? error : new Error(String(error));
                report(failure, /^NOPERM\b/.test(failure.message));
                created.disconnect(true);
              },
            );
          });
          created.on('close', () => {
            subscriber.setChannelUp(false);
            // A connection closed without an error first (the server shut down or killed it).
            if (!reportedSinceReady) report(new Error('the connection was closed'), false);
          });
          created.connect().catch(() => {});
        },
        (error: unknown) =>
          report(error instanceof Error ? error : new Error(String(error)), false),
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
      closing = true;
      for (const redis of subscribers) redis.disconnect();
      subscribers.clear();
      // The store waited for every publish before closing: nothing is left to flush.
      publisher = undefined;
      for (const redis of publishers) redis.disconnect();
      publishers.clear();
    },
  };
}
