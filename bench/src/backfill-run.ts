// Measuring tools of benchmark 7 (backfill): the BUILT CLI's `backfill` command, run and timed;
// a private redis-server's memory (INFO memory), read once or sampled; and a counter summed over
// the /metrics of several worker processes.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { backfillResultSchema, type BackfillResult } from '@so-connector/queue';
import { REPO_ROOT } from './bench-common';
import { sumMetric } from './traffic-system';

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');

export interface CliBackfill {
  /** From spawning the CLI until it exited (the backfill job finished: everything enqueued). */
  readonly cliMs: number;
  readonly result: BackfillResult;
}

/**
 * Runs `so-connector backfill <args> --json` (the built apps/cli) with exactly `env` (plus PATH)
 * and returns its result document; throws when it exits non-zero or prints no result.
 */
export function runBackfillCli(
  env: Record<string, string>,
  args: readonly string[],
): Promise<CliBackfill> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'backfill', ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  // --json writes a progress line a second to stderr: keep the tail for an error message.
  child.stderr.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)),
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const cliMs = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`so-connector backfill exited ${code ?? signal}: ${stderr.trim()}`));
        return;
      }
      try {
        const document = JSON.parse(stdout) as { result: unknown };
        resolve({ cliMs, result: backfillResultSchema.parse(document.result) });
      } catch (error) {
        reject(new Error(`so-connector backfill printed no result (${String(error)}): ${stdout}`));
      }
    });
  });
}

export interface RedisMemory {
  /** INFO memory `used_memory`, bytes. */
  readonly used: number;
  /** INFO memory `used_memory_peak`, bytes: the most since the server started. */
  readonly peak: number;
}

export async function redisMemory(redis: Redis): Promise<RedisMemory> {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: field('used_memory'), peak: field('used_memory_peak') };
}

/** Reads `used_memory` every `intervalMs` until `stop()`, which returns the largest reading. */
export function sampleMemory(redis: Redis, intervalMs = 250): { stop(): Promise<number> } {
  let max = 0;
  let reading: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    reading = redisMemory(redis).then(
      (m) => void (max = Math.max(max, m.used)),
      () => undefined,
    );
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await reading;
      max = Math.max(max, (await redisMemory(redis)).used);
      return max;
    },
  };
}

/** `name` (with an optional label filter) summed over the workers' /metrics on `ports`. */
export async function fleetMetric(
  ports: readonly number[],
  name: string,
  filter?: (labels: string) => boolean,
): Promise<number> {
  const texts = await Promise.all(
    ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()),
  );
  return texts.reduce((sum, text) => sum + sumMetric(text, name, filter), 0);
}

/** `12.3 MiB` */
export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export interface KeyFamily {
  /** The key with its id segments (digits, hex) as `*`, e.g. `bench:so-enrich:*`. */
  readonly family: string;
  readonly keys: number;
  /** MEMORY USAGE summed over the family's keys, bytes. */
  readonly bytes: number;
}

const idSegment = /^(\d+|[0-9a-f]{8,}|[0-9a-f-]{36})$/i;

/** Every key grouped by family, with MEMORY USAGE summed; largest first. */
export async function keyFamilies(redis: Redis): Promise<KeyFamily[]> {
  const families = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key);
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = key
        .split(':')
        .map((segment) => (idSegment.test(segment) ? '*' : segment))
        .join(':');
      const entry = families.get(family) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(sizes[i]?.[1] ?? 0);
      families.set(family, entry);
    });
  } while (cursor !== '0');
  return [...families]
    .map(([family, { keys, bytes }]) => ({ family, keys, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
}
