/**
 * The Redis side of the counter store, as Lua run by EVALSHA (falling back to EVAL). The
 * embedded store (memory-store.ts) implements the same steps in the same order, and the contract
 * suite checks that they agree. Floats travel as %.17g strings, which round-trip exactly.
 *
 * The scripts are indented with tabs (Auth0 counts every byte of an Action's code).
 *
 * Batch ARGV: now, then per op its code and parameters; KEYS: each op's keys, in op order.
 *   C ttl                      KEYS: current-window key, previous-window key -> current, previous
 *   S reset ttl                KEYS: streak hash                          -> previous-at (-1), streak
 *   R window alpha fold ttl when  KEYS: rate hash                        -> current, baseline, windows seen
 *   G                          KEYS: key                                  -> value ('' if none)
 *   T                          KEYS: retry tokens                         -> 1 replay (a token taken), 0 not
 * After a T that answered 1 (a replay), C, S and R change nothing and answer zeros.
 */
import { createHash } from 'node:crypto';

export const BATCH_SCRIPT = `
local now = tonumber(ARGV[1])
local out = {}
local k, a = 1, 2
local lastStreak = 0
local replay = false
while a <= #ARGV do
	local op = ARGV[a]
	if replay and (op == 'C' or op == 'S' or op == 'R') then
		if op == 'C' then
			out[#out + 1] = 0
			out[#out + 1] = 0
			k, a = k + 2, a + 2
		elseif op == 'S' then
			out[#out + 1] = -1
			out[#out + 1] = 0
			k, a = k + 1, a + 3
		else
			out[#out + 1] = 0
			out[#out + 1] = '0'
			out[#out + 1] = 0
			k, a = k + 1, a + 6
		end
	elseif op == 'T' then
		local left = tonumber(redis.call('GET', KEYS[k])) or 0
		if left > 0 then
			redis.call('DECR', KEYS[k])
			replay = true
			out[#out + 1] = 1
		else
			out[#out + 1] = 0
		end
		k, a = k + 1, a + 1
	elseif op == 'C' then
		local current = redis.call('INCR', KEYS[k])
		redis.call('PEXPIRE', KEYS[k], ARGV[a + 1])
		local previous = tonumber(redis.call('GET', KEYS[k + 1])) or 0
		out[#out + 1] = current
		out[#out + 1] = previous
		k, a = k + 2, a + 2
	elseif op == 'S' then
		local state = redis.call('HMGET', KEYS[k], 'at', 'n')
		local at, n = tonumber(state[1]), tonumber(state[2]) or 0
		if at == nil or now - at > tonumber(ARGV[a + 1]) then
			at, n = -1, 1
		else
			n = n + 1
		end
		local stamp = now
		if at > now then stamp = at end
		redis.call('HSET', KEYS[k], 'at', string.format('%d', stamp), 'n', n)
		redis.call('PEXPIRE', KEYS[k], ARGV[a + 2])
		lastStreak = n
		out[#out + 1] = at
		out[#out + 1] = n
		k, a = k + 1, a + 3
	elseif op == 'R' then
		local window, alpha, fold = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
		local when = ARGV[a + 5]
		local state = redis.call('HMGET', KEYS[k], 'w', 'c', 'b', 'n')
		local w, c, b, n = tonumber(state[1]), tonumber(state[2]) or 0, tonumber(state[3]) or 0, tonumber(state[4]) or 0
		if w == nil then
			w, c = window, 0
		elseif window > w then
			n = math.min(n + window - w, 1000000)
			local folded = c
			if folded > 2 * b + fold then folded = 2 * b + fold end
			b = alpha * folded + (1 - alpha) * b
			local idle = window - w - 1
			if idle > ${400} then
				b = 0
			else
				for i = 1, idle do b = (1 - alpha) * b end
			end
			w, c = window, 0
		end
		if when == '0' or lastStreak == 1 then c = c + 1 end
		redis.call('HSET', KEYS[k], 'w', w, 'c', c, 'b', string.format('%.17g', b), 'n', n)
		redis.call('PEXPIRE', KEYS[k], ARGV[a + 4])
		out[#out + 1] = c
		out[#out + 1] = string.format('%.17g', b)
		out[#out + 1] = n
		k, a = k + 1, a + 6
	elseif op == 'G' then
		local value = redis.call('GET', KEYS[k])
		if value == false then value = '' end
		out[#out + 1] = value
		k, a = k + 1, a + 1
	else
		return redis.error_reply('tollguard: unknown op ' .. tostring(op))
	end
end
return out
`;

/** ARGV: per key its candidate value and TTL. Raises, never lowers; answers the previous values. */
export const RAISE_UNTIL_SCRIPT = `
local out = {}
for i = 1, #KEYS do
	local previous = tonumber(redis.call('GET', KEYS[i])) or 0
	local candidate = tonumber(ARGV[2 * i - 1])
	if candidate > previous then
		redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PX', ARGV[2 * i])
	end
	out[i] = previous
end
return out
`;

export function sha1(script: string): string {
  return createHash('sha1').update(script).digest('hex');
}
