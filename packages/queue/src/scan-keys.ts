import { Cluster, type Redis } from 'ioredis';
import { masterServing } from './slot-owner';

/** `text` as a literal in a SCAN MATCH glob: `*`, `?`, `[`, `]` and `\` escaped. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** One node's keys matching `match`, a SCAN page (about COUNT keys looked at) at a time. */
async function* scanNodePages(redis: Redis, match: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    if (found.length > 0) yield found;
  } while (cursor !== '0');
}

async function scanNode(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of scanNodePages(redis, match)) keys.push(...page);
  return keys;
}

/**
 * The hash tag every key matching the glob `match` is hashed by, as `{tag}`, or undefined when
 * the pattern does not fix one: no `{…}` (Redis's rule: the first `{`, the first `}` after it,
 * not empty), or a glob character or escape before that `}` (`{s*}` matches keys of many tags).
 */
export function matchHashTag(match: string): string | undefined {
  const open = match.indexOf('{');
  if (open < 0) return undefined;
  const close = match.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return undefined;
  if (/[*?[\\]/.test(match.slice(0, close))) return undefined;
  return match.slice(open, close + 1);
}

/**
 * The connections to the masters that can hold keys matching `match`: the one serving the
 * pattern's hash-tag slot, as the cluster's slot map says now (followed through failovers), or
 * every master when the pattern fixes no tag or the slot map does not know the slot yet.
 */
export function mastersFor(redis: Cluster, match: string): Redis[] {
  const tag = matchHashTag(match);
  const owner = tag === undefined ? undefined : masterServing(redis, tag);
  return owner ? [owner] : redis.nodes('master');
}

/**
 * Every key matching `match`. SCAN is per node: on a Redis Cluster a keyless command goes to one
 * node, which holds only its own slots. The keys of one hash tag live on one master, so a pattern
 * with a tag (every connector key starts with QUEUE_PREFIX, which has one on a Cluster) scans only
 * that master: a down master elsewhere does not fail the scan. Without a tag, every master.
 */
export async function scanKeys(redis: Redis | Cluster, match: string): Promise<string[]> {
  if (!(redis instanceof Cluster)) return scanNode(redis, match);
  const perMaster = await Promise.all(
    mastersFor(redis, match).map((node) => scanNode(node, match)),
  );
  return [...new Set(perMaster.flat())];
}

/**
 * The keys matching `match`, one SCAN page at a time (master after master on a Cluster), for a
 * caller that must not hold them all at once. SCAN's guarantees hold: a key present from start to
 * end is yielded at least once (possibly twice); one added or removed meanwhile may or may not be.
 */
export async function* scanKeyPages(
  redis: Redis | Cluster,
  match: string,
): AsyncGenerator<string[]> {
  const nodes = redis instanceof Cluster ? mastersFor(redis, match) : [redis];
  for (const node of nodes) yield* scanNodePages(node, match);
}
