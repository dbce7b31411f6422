import { Cluster, type Redis } from 'ioredis';
import { masterServing } from './slot-owner';

/** `text` as a literal in a SCAN MATCH glob: `*`, `?`, `[`, `]` and `\` escaped. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

async function scanNode(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
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
