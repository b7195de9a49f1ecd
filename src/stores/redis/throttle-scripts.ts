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
 * Reserves in several windows at once, all or none. KEYS are pairs: each window's failures and
 * its attempts in flight (both sorted sets scored by time); ARGV now, member, then for each
 * window its cutoff, limit and duration (ms). Returns `{1}` when the member was added to every
 * window's attempts in flight; `{0, i, score, …}` when failures fill windows, with for each its
 * 1-based index and the score of the failure whose expiry frees a slot (`false` for a limit of
 * 0); or `{2}` when only attempts in flight fill one. Refusals add nothing.
 */
export const RESERVE_SCRIPT = lua(`
local refusals = {0}
local busy = false
for i = 1, #KEYS / 2 do
  local failures, pending = KEYS[2 * i - 1], KEYS[2 * i]
  local at = 2 + (i - 1) * 3
  redis.call('ZREMRANGEBYSCORE', failures, '-inf', ARGV[at + 1])
  redis.call('ZREMRANGEBYSCORE', pending, '-inf', ARGV[at + 1])
  local count = redis.call('ZCARD', failures)
  local limit = tonumber(ARGV[at + 2])
  if count >= limit then
    local freeing = false
    if limit > 0 then
      freeing = redis.call('ZRANGE', failures, count - limit, count - limit, 'WITHSCORES')[2]
    end
    table.insert(refusals, i)
    table.insert(refusals, freeing)
  elseif count + redis.call('ZCARD', pending) >= limit then
    busy = true
  end
end
if #refusals > 1 then return refusals end
if busy then return {2} end
for i = 1, #KEYS / 2 do
  redis.call('ZADD', KEYS[2 * i], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[2 * i], ARGV[2 + (i - 1) * 3 + 3])
end
return {1}
`);

/**
 * An attempt failed: KEYS pairs as for reserving; ARGV the member, its time, then each window's
 * duration (ms). The member moves from the attempts in flight to the failures (unless it has
 * already left its window).
 */
export const KEEP_SCRIPT = lua(`
for i = 1, #KEYS / 2 do
  if redis.call('ZREM', KEYS[2 * i], ARGV[1]) == 1 then
    redis.call('ZADD', KEYS[2 * i - 1], ARGV[2], ARGV[1])
    redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[2 + i])
  end
end
return 1
`);

/** An attempt did not fail: KEYS pairs as for reserving; ARGV the member, gone from each. */
export const RELEASE_SCRIPT = lua(`
for i = 1, #KEYS / 2 do redis.call('ZREM', KEYS[2 * i], ARGV[1]) end
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
