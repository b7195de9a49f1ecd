import { randomBytes } from 'node:crypto';
import { ServiceUnavailable } from '../../core/errors.js';
import { boundedKey } from '../../core/throttling/bounded-key.js';
import { drfWait, waitUntilFree } from '../../core/throttling/sliding-window.js';
import type {
  RememberedSetLimit,
  ThrottleBackend,
  ThrottleDecision,
  ThrottleRefusal,
  ThrottleReservation,
  WindowLimit,
} from '../../core/throttling/throttle-backend.js';
import { loadRedis, type RedisClient } from './redis-client.js';
import {
  HIT_SCRIPT,
  KEEP_SCRIPT,
  type LuaScript,
  MEMBER_SCORE_SCRIPT,
  RELEASE_SCRIPT,
  REMEMBER_SCRIPT,
  RESERVE_SCRIPT,
} from './throttle-scripts.js';

/** Options of `openRedisThrottleBackend`. */
export interface RedisThrottleBackendOptions {
  /** `redis://[user:password@]host:6379[/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /** Put before every key, so several apps can share one Redis. Default `tessera:`. */
  readonly keyPrefix?: string;
  /** Longest wait for a connection, in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait for one command, in ms; then the request gets 503. Default 1000. */
  readonly commandTimeoutMs?: number;
}

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });

function unavailable(cause: unknown): ServiceUnavailable {
  const error = new ServiceUnavailable();
  error.cause = cause;
  return error;
}

const BUSY: ThrottleRefusal = Object.freeze({ allowed: false, wait: null, busy: true });

// Each window is two sorted sets: its failures, and its attempts in flight (`…:pending`), which
// a crashed node's reservations also leave once their window has passed.
function windowKeys(limits: readonly WindowLimit[]): string[] {
  return limits.flatMap(({ key }) => [key, `${key}:pending`]);
}

function scoreOf(value: unknown): number | null {
  return typeof value === 'string' || typeof value === 'number' ? Number(value) : null;
}

/**
 * Sliding logs in Redis sorted sets (score and member per request), so every node sharing the
 * Redis counts together. Each operation is one Lua script: one round trip, atomic. A Redis that
 * does not answer gives `ServiceUnavailable` (503), never a silent pass.
 * @example
 * const backend = await openRedisThrottleBackend({ url: 'redis://127.0.0.1:6379' });
 * const tessera = createTessera({ store, throttleBackend: backend });
 */
export class RedisThrottleBackend implements ThrottleBackend {
  readonly #client: RedisClient;
  readonly #keyPrefix: string;
  // Members must be unique within a key even for requests in the same millisecond.
  readonly #memberPrefix = randomBytes(6).toString('base64url');
  #sequence = 0;

  constructor(client: RedisClient, keyPrefix = 'tessera:') {
    this.#client = client;
    this.#keyPrefix = keyPrefix;
  }

  async hit(key: string, now: number, limit: number, durationMs: number) {
    const reply = await this.#run(
      HIT_SCRIPT,
      [key],
      [String(now), String(now - durationMs), String(limit), String(durationMs), this.#member(now)],
    );
    if (reply[0] === 1) return ALLOWED;
    const count = Number(reply[1]);
    return {
      allowed: false,
      wait: drfWait({ count, oldest: scoreOf(reply[2]), now, limit, durationMs }),
    };
  }

  async reserve(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal> {
    const id = this.#member(now);
    const args = [String(now), id];
    for (const { limit, durationMs } of limits) {
      args.push(String(now - durationMs), String(limit), String(durationMs));
    }
    const reply = await this.#run(RESERVE_SCRIPT, windowKeys(limits), args);
    if (reply[0] === 1) return { allowed: true, limits, at: now, id };
    if (reply[0] === 2) return BUSY;
    let wait: number | null = null;
    for (let i = 1; i + 1 < reply.length; i += 2) {
      const limit = limits[Number(reply[i]) - 1];
      const freeing = scoreOf(reply[i + 1]);
      if (limit === undefined || freeing === null) continue;
      wait = Math.max(wait ?? 0, waitUntilFree(freeing, now, limit.durationMs));
    }
    return { allowed: false, wait };
  }

  async keep(reservation: ThrottleReservation): Promise<void> {
    const { limits, id, at } = reservation;
    await this.#run(KEEP_SCRIPT, windowKeys(limits), [
      id,
      String(at),
      ...limits.map(({ durationMs }) => String(durationMs)),
    ]);
  }

  async release(reservation: ThrottleReservation): Promise<void> {
    try {
      await this.#run(RELEASE_SCRIPT, windowKeys(reservation.limits), [reservation.id]);
    } catch {
      // The contract: a release never fails; the attempt leaves with its window instead.
    }
  }

  async remember(key: string, member: string, now: number, limit: RememberedSetLimit) {
    const { max, ttlMs } = limit;
    await this.#run(
      REMEMBER_SCRIPT,
      [key],
      [String(now), member, String(now - ttlMs), String(max), String(ttlMs)],
    );
  }

  async isRemembered(key: string, member: string, now: number, ttlMs: number) {
    const [score] = await this.#run(MEMBER_SCORE_SCRIPT, [key], [member]);
    const at = scoreOf(score);
    return at !== null && at > now - ttlMs;
  }

  async close(): Promise<void> {
    try {
      await this.#client.quit();
    } catch {
      // Already closed or never connected: nothing is left to release.
      this.#client.disconnect();
    }
  }

  #member(now: number): string {
    this.#sequence = (this.#sequence + 1) % Number.MAX_SAFE_INTEGER;
    return `${now}:${this.#memberPrefix}:${this.#sequence}`;
  }

  // Several keys in one script need one Redis (not a Cluster, where they may sit on other nodes).
  async #run(script: LuaScript, keys: readonly string[], args: string[]): Promise<unknown[]> {
    const fullKeys = keys.map((key) => this.#keyPrefix + boundedKey(key));
    try {
      let reply: unknown;
      try {
        reply = await this.#client.evalsha(script.sha, fullKeys.length, ...fullKeys, ...args);
      } catch (error) {
        // A Redis restarted (or another one behind the URL) has forgotten the script.
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        reply = await this.#client.eval(script.source, fullKeys.length, ...fullKeys, ...args);
      }
      return Array.isArray(reply) ? reply : [reply];
    } catch (error) {
      throw unavailable(error);
    }
  }
}

/**
 * Connects to Redis (loading the optional `ioredis` package) and checks it answers, so a wrong
 * `REDIS_URL` fails at start-up rather than on the first request.
 */
export async function openRedisThrottleBackend(
  options: RedisThrottleBackendOptions,
): Promise<RedisThrottleBackend> {
  const Redis = await loadRedis();
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    // A command fails after one reconnection attempt instead of waiting for Redis to come back.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  });
  // ioredis reports connection errors as events too; the failing command carries them already.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    // The URL may hold a password: name the host only.
    const where = redisHost(options.url);
    throw new Error(`Redis at ${where} did not answer: ${(error as Error)?.message}`, {
      cause: error,
    });
  }
  return new RedisThrottleBackend(client, options.keyPrefix);
}

function redisHost(url: string): string {
  try {
    return new URL(url).host || 'the REDIS_URL';
  } catch {
    return 'the REDIS_URL';
  }
}
