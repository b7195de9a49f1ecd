export type { RedisClient } from './redis-client.js';
export {
  openRedisThrottleBackend,
  RedisThrottleBackend,
  type RedisThrottleBackendOptions,
} from './redis-throttle-backend.js';
