import { loadOptionalExport } from '../../core/config/optional-package.js';

/** The part of an ioredis client the Redis stores use (structural, so `ioredis` stays optional). */
export interface RedisClient {
  evalsha(sha: string, numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The ioredis options tessera sets. */
export interface RedisClientOptions {
  readonly lazyConnect: true;
  readonly connectTimeout: number;
  readonly commandTimeout: number;
  readonly maxRetriesPerRequest: number;
  readonly enableOfflineQueue: boolean;
}

/** ioredis's `Redis` constructor. */
export type RedisConstructor = new (url: string, options: RedisClientOptions) => RedisClient;

/** Loads `ioredis` on first use; a missing package is one error naming it. */
export async function loadRedis(): Promise<RedisConstructor> {
  return (await loadOptionalExport('ioredis', 'Redis', 'Redis')) as RedisConstructor;
}
