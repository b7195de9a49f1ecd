import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for `EVALSHA` with an `EVAL` fallback. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Every script first drops the entries at or before the cutoff (`now - duration`, computed by the
// caller so no float formatting in Lua can shift it), as DRF drops `history[-1] <= now - duration`.
// Times are the caller's clock, never Redis's TIME, so several nodes and tests agree on "now".

/**
 * DRF's `allow_request`: KEYS[1] the log; ARGV now, cutoff, limit, duration (ms), member.
 * Returns `{1}` when recorded, or `{0, count, oldest score}` when refused (not recorded).
 */
export const HIT_SCRIPT = lua(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, count, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1}
`);

/**
 * A look without recording: KEYS[1] the log; ARGV cutoff, limit. Returns `{1}` when below the
 * limit, else `{0, score}` with the score of the entry whose expiry frees a slot.
 */
export const PEEK_SCRIPT = lua(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[2])
if count < limit then return {1} end
if limit <= 0 then return {0} end
local freeing = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {0, freeing[2]}
`);

/**
 * Records a failure: KEYS[1] the log; ARGV now, cutoff, limit, duration (ms), member. Keeps the
 * newest `limit` entries only, which are all any decision reads.
 */
export const RECORD_SCRIPT = lua(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
if count > limit then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return count
`);
