import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  openRedisThrottleBackend,
  type RedisThrottleBackend,
} from '../../../src/stores/redis/index.js';

/** The Redis the tests use; a Redis that is down fails them (never skips). */
export const REDIS_TEST_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * A plain ioredis client on the test Redis for inspecting and cleaning up; it tries once and
 * fails fast, so a Redis that is down fails the tests instead of hanging them.
 */
export async function adminClient(): Promise<Redis> {
  const admin = new Redis(REDIS_TEST_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  admin.on('error', () => {});
  await admin.connect();
  return admin;
}

/**
 * Opens throttle backends on the test Redis, each under its own random key prefix (so tests and
 * parallel runs never share a log), and deletes every key they wrote at `dropAll`.
 */
export class FreshRedisPrefixes {
  readonly #prefixes: string[] = [];

  /** A key prefix no other test uses; its keys go at `dropAll`. */
  newPrefix(): string {
    const prefix = `tessera_test_${randomBytes(6).toString('hex')}:`;
    this.#prefixes.push(prefix);
    return prefix;
  }

  open(): Promise<RedisThrottleBackend> {
    return openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix: this.newPrefix() });
  }

  async dropAll(): Promise<void> {
    if (this.#prefixes.length === 0) return;
    const admin = await adminClient();
    try {
      for (const prefix of this.#prefixes) {
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
      }
    } finally {
      admin.disconnect();
    }
  }
}
