import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** HINCRBY each field of a hash by its amount and refresh the hash's time to live. */
export interface CounterWrite {
  readonly op: 'count';
  readonly key: string;
  readonly fields: Readonly<Record<string, number>>;
  readonly ttlMs: number;
}

/** SET `value` when it sorts after the stored value (or none is stored); refresh the TTL either way. */
export interface MarkLaterWrite {
  readonly op: 'mark-later';
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}

/** A write that goes with a sync-run fact in the same round trip (counters, seen markers). */
export type SideWrite = CounterWrite | MarkLaterWrite;

/** A sync-run fact as stored: its account's sorted set, the tenant's account index. */
export interface FactWrite {
  readonly accountKey: string;
  readonly indexKey: string;
  /** The account's key without its id: an account pushed out of the index is deleted by it. */
  readonly accountStem: string;
  readonly accountId: number;
  readonly ms: number;
  readonly member: string;
}

/** What one round trip writes: facts and side writes, in any mix. */
export interface RunWriteBatch {
  readonly facts: readonly FactWrite[];
  readonly sides: readonly SideWrite[];
}

/** How much of the sync-run log is kept (the store's options). */
export interface RunLimits {
  readonly retentionMs: number;
  readonly maxFactsPerAccount: number;
  readonly maxAccountsPerTenant: number;
}

/** Defaults of the limits (SYNC_RUN_* in the worker's configuration). */
export const SYNC_RUN_DEFAULTS: RunLimits = {
  retentionMs: 14 * 24 * 3600_000,
  maxFactsPerAccount: 2000,
  maxAccountsPerTenant: 100_000,
};

/**
 * One script for a whole batch: every fact, counter and marker, then the trims once per touched
 * account (age, then count) and per touched account index (age, then count: the accounts least
 * recently active are dropped from the index). Atomic, so a batch is written whole or not at all.
 * Keys are declared in KEYS in op order; the script touches no other key (Redis Cluster): it
 * returns the keys of the accounts it dropped from an index, which the caller unlinks.
 */
const RUN_WRITES = `
local retention = tonumber(ARGV[1])
local maxFacts = tonumber(ARGV[2])
local maxAccounts = tonumber(ARGV[3])
local k, a = 1, 4
local accounts, accountOrder = {}, {}
local indexes, indexOrder = {}, {}
while a <= #ARGV do
  local op = ARGV[a]
  if op == 'F' then
    local key, index, ms = KEYS[k], KEYS[k + 1], tonumber(ARGV[a + 1])
    k = k + 2
    redis.call('ZADD', key, ms, ARGV[a + 2])
    -- GT: a fact recorded late (another worker, a retry) never moves the account back in time.
    redis.call('ZADD', index, 'GT', ms, ARGV[a + 3])
    if accounts[key] == nil then table.insert(accountOrder, key) end
    if accounts[key] == nil or accounts[key] < ms then accounts[key] = ms end
    if indexes[index] == nil then
      table.insert(indexOrder, index)
      indexes[index] = { ms, ARGV[a + 4] }
    elseif indexes[index][1] < ms then
      indexes[index][1] = ms
    end
    a = a + 5
  elseif op == 'C' then
    local key, n = KEYS[k], tonumber(ARGV[a + 1])
    k = k + 1
    for i = 0, n - 1 do redis.call('HINCRBY', key, ARGV[a + 3 + 2 * i], ARGV[a + 4 + 2 * i]) end
    redis.call('PEXPIRE', key, ARGV[a + 2])
    a = a + 3 + 2 * n
  elseif op == 'M' then
    local key = KEYS[k]
    k = k + 1
    local current = redis.call('GET', key)
    if (not current) or current < ARGV[a + 1] then
      redis.call('SET', key, ARGV[a + 1], 'EX', ARGV[a + 2])
    else
      redis.call('EXPIRE', key, ARGV[a + 2])
    end
    a = a + 3
  else
    return redis.error_reply('run writes: unknown op ' .. tostring(op))
  end
end
for _, key in ipairs(accountOrder) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', accounts[key] - retention)
  redis.call('ZREMRANGEBYRANK', key, 0, -(maxFacts + 1))
  redis.call('PEXPIRE', key, retention)
end
local evicted = {}
for _, index in ipairs(indexOrder) do
  redis.call('ZREMRANGEBYSCORE', index, '-inf', indexes[index][1] - retention)
  local excess = redis.call('ZCARD', index) - maxAccounts
  if excess > 0 then
    for _, id in ipairs(redis.call('ZRANGE', index, 0, excess - 1)) do
      table.insert(evicted, indexes[index][2] .. id)
    end
    redis.call('ZREMRANGEBYRANK', index, 0, excess - 1)
  end
  redis.call('PEXPIRE', index, retention)
end
return evicted`;

const SHA = createHash('sha1').update(RUN_WRITES).digest('hex');

/**
 * The hash tag of a key (Redis Cluster: the part between the first `{` and the next `}`, when not
 * empty); '' when it has none.
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : '';
}

/** Sums counters of the same key, so a batch of skips increments each bucket once. */
function mergeCounters(sides: readonly SideWrite[]): SideWrite[] {
  const counters = new Map<string, { fields: Record<string, number>; ttlMs: number }>();
  const others: SideWrite[] = [];
  for (const side of sides) {
    if (side.op !== 'count') {
      others.push(side);
      continue;
    }
    const merged = counters.get(side.key) ?? { fields: {}, ttlMs: side.ttlMs };
    for (const [field, n] of Object.entries(side.fields))
      merged.fields[field] = (merged.fields[field] ?? 0) + n;
    merged.ttlMs = Math.max(merged.ttlMs, side.ttlMs);
    counters.set(side.key, merged);
  }
  return [
    ...others,
    ...[...counters].map(([key, c]): CounterWrite => ({ op: 'count', key, ...c })),
  ];
}

/** KEYS and ARGV of the script for one batch. */
export function encodeBatch(
  batch: RunWriteBatch,
  limits: RunLimits,
): { keys: string[]; args: (string | number)[] } {
  const keys: string[] = [];
  const args: (string | number)[] = [
    limits.retentionMs,
    limits.maxFactsPerAccount,
    limits.maxAccountsPerTenant,
  ];
  for (const fact of batch.facts) {
    keys.push(fact.accountKey, fact.indexKey);
    args.push('F', fact.ms, fact.member, String(fact.accountId), fact.accountStem);
  }
  for (const side of mergeCounters(batch.sides)) {
    keys.push(side.key);
    if (side.op === 'count') {
      const fields = Object.entries(side.fields);
      args.push('C', fields.length, side.ttlMs, ...fields.flat());
    } else {
      args.push('M', side.value, side.ttlSeconds);
    }
  }
  return { keys, args };
}

/**
 * Splits a batch by hash tag, each part one round trip that a Redis Cluster accepts. Untagged keys
 * go together: only a single node (or Sentinel) has them, a Cluster needs a tagged QUEUE_PREFIX.
 */
function bySlot(batch: RunWriteBatch): RunWriteBatch[] {
  const parts = new Map<string, { facts: FactWrite[]; sides: SideWrite[] }>();
  const part = (key: string) => {
    const tag = hashTag(key);
    const found = parts.get(tag) ?? { facts: [], sides: [] };
    parts.set(tag, found);
    return found;
  };
  for (const fact of batch.facts) part(fact.accountKey).facts.push(fact);
  for (const side of batch.sides) part(side.key).sides.push(side);
  return [...parts.values()];
}

/**
 * Writes a batch in one EVALSHA per hash slot (EVAL when Redis does not know the script yet).
 * Resolves once Redis has applied it: as durable as Redis's AOF setting makes any write.
 */
export async function execRunWrites(
  redis: Redis | Cluster,
  batch: RunWriteBatch,
  limits: RunLimits,
): Promise<void> {
  if (batch.facts.length === 0 && batch.sides.length === 0) return;
  for (const part of bySlot(batch)) {
    const { keys, args } = encodeBatch(part, limits);
    let evicted: unknown;
    try {
      evicted = await redis.evalsha(SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      evicted = await redis.eval(RUN_WRITES, keys.length, ...keys, ...args);
    }
    // Accounts pushed out of their tenant's index: their facts go too (one key per command, so
    // a Cluster never sees a cross-slot UNLINK; evictions are rare, one per account beyond the cap).
    if (Array.isArray(evicted)) for (const key of evicted) await redis.unlink(String(key));
  }
}
