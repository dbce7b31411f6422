import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script sent by its SHA1 (`EVALSHA`), and in full (`EVAL`) only when Redis does not know it
 * yet (after a restart, a failover to a replica that never ran it, or `SCRIPT FLUSH`). `EVAL` would
 * send the whole body with every call and have Redis hash it again each time.
 *
 * Not ioredis's `defineCommand`: on a connection BullMQ also uses, every command defined there is
 * copied onto each pipeline and transaction the connection builds (ioredis's Pipeline constructor),
 * which already costs the hot paths noticeable CPU with BullMQ's own scripts.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script over `keys` (which must share a hash slot on a Cluster) with `args`. */
  async run(
    redis: Redis | Cluster,
    keys: readonly string[],
    args: readonly (string | number)[] = [],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
