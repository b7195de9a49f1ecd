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
 * Reserves in several windows at once, all or none: KEYS the logs; ARGV now, member, then for
 * each key its cutoff, limit and duration (ms). Returns `{1}` when `now` was recorded in every
 * log, or `{0, i, score, …}` with, for each full log, its 1-based index and the score of the
 * entry whose expiry frees a slot (`false` for a limit of 0), having recorded nothing.
 */
export const RESERVE_SCRIPT = lua(`
local refusals = {0}
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 3
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[at + 1])
  local count = redis.call('ZCARD', KEYS[i])
  local limit = tonumber(ARGV[at + 2])
  if count >= limit then
    local freeing = false
    if limit > 0 then
      freeing = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')[2]
    end
    table.insert(refusals, i)
    table.insert(refusals, freeing)
  end
end
if #refusals > 1 then return refusals end
for i = 1, #KEYS do
  local at = 2 + (i - 1) * 3
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[i], ARGV[at + 3])
end
return {1}
`);

/** Takes a reservation back: KEYS the logs; ARGV the member it recorded. */
export const RELEASE_SCRIPT = lua(`
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`);

/**
 * Adds a member to a bounded, expiring set: KEYS[1] the set; ARGV now, member, cutoff (now -
 * ttl), most members kept, ttl (ms). Members added at or before the cutoff are dropped.
 */
export const REMEMBER_SCRIPT = lua(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[4])
if count > max then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - max - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return count
`);

/** When a member was last added to a set: KEYS[1] the set; ARGV[1] the member. */
export const MEMBER_SCORE_SCRIPT = lua(`
return redis.call('ZSCORE', KEYS[1], ARGV[1])
`);
