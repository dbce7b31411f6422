// pnpm bench: webhook ingest throughput of the receiver against the minimal reference server
// (Express 5 + raw body + HMAC + queue.add), measured in the same run on the same Redis, with
// unique signed events and 50 connections. Rounds alternate between the two servers so that
// machine noise hits both; the verdict is the ratio, never a bare wall-clock number.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, waitFor, type RedisServer } from '@so-connector/testing';

const quick = process.argv.includes('--quick');
const DURATION_S = quick ? 5 : 15;
const ROUNDS = quick ? 1 : 2;
const CONNECTIONS = 50;
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const TENANT = 'Cust12345';
const TARGET_RATIO = 0.9;
const repo = join(__dirname, '..', '..');

interface Measurement {
  readonly server: 'receiver' | 'reference';
  readonly aof: string;
  readonly round: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly jobs: number;
  readonly rssMiB: number;
}

function event(): string {
  return JSON.stringify({
    EventId: randomUUID(),
    Timestamp: new Date().toISOString(),
    Changes: ['contact_id', 'updated_associate_id', 'updated', 'name'],
    Event: 'contact.changed',
    PrimaryKey: 1 + Math.floor(Math.random() * 10_000),
    Entity: 'contact',
    ContextIdentifier: TENANT,
    ChangedByAssociateId: 5,
    WebhookName: 'bench',
    FieldValues: {
      associate_id: 12,
      business_idx: 2,
      category_idx: 4,
      country_id: 578,
      userdef_id: 22,
    },
  });
}

async function startServer(
  kind: 'receiver' | 'reference',
  redisUrl: string,
  prefix: string,
  spoolDir: string,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const script =
    kind === 'receiver'
      ? join(repo, 'apps', 'receiver', 'dist', 'main.js')
      : join(__dirname, 'reference-server.js');
  const child = spawn(process.execPath, [script], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      WEBHOOK_SECRET: SECRET,
      SO_CONTEXT_IDENTIFIER: TENANT,
      SPOOL_DIR: spoolDir,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/superoffice`, {
        method: 'POST',
      }).catch(() => undefined);
      return res !== undefined;
    },
    { timeoutMs: 20_000, what: `${kind} on port ${port}` },
  );
  return { child, port };
}

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

async function load(port: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/superoffice',
        setupRequest: (request) => {
          const body = event();
          return {
            ...request,
            body,
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'x-superoffice-signature': createHmac('sha256', SECRET).update(body).digest('base64'),
            },
          };
        },
      },
    ],
  });
}

async function measure(
  kind: 'receiver' | 'reference',
  redis: RedisServer,
  aof: string,
  round: number,
): Promise<Measurement> {
  const prefix = `bench-${kind}-${round}`;
  const spoolDir = mkdtempSync(join(tmpdir(), 'so-bench-spool-'));
  const { child, port } = await startServer(kind, redis.url, prefix, spoolDir);
  try {
    await autocannon({ url: `http://127.0.0.1:${port}/healthz`, connections: 10, amount: 2000 }); // warm-up
    const result = await load(port);
    const rss = rssMiB(child.pid);
    const client = new Redis(redis.url);
    const jobs = await client.llen(`${prefix}:so-events:wait`);
    await client.flushall();
    client.disconnect();
    return {
      server: kind,
      aof,
      round,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      jobs,
      rssMiB: rss,
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function versionOf(pkg: string): string {
  try {
    const path = require.resolve(`${pkg}/package.json`, {
      paths: [join(repo, 'apps', 'receiver')],
    });
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const all: Measurement[] = [];
  const configs: { aof: false | 'everysec' | 'always'; label: string }[] = quick
    ? [{ aof: false, label: 'off' }]
    : [
        { aof: false, label: 'off' },
        { aof: 'everysec', label: 'everysec' },
        { aof: 'always', label: 'always' },
      ];
  for (const config of configs) {
    const dir = mkdtempSync(join(tmpdir(), 'so-bench-redis-'));
    const redis = await startRedisServer({ appendOnly: config.aof, dir });
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const kind of round % 2 === 1
          ? (['reference', 'receiver'] as const)
          : (['receiver', 'reference'] as const)) {
          const m = await measure(kind, redis, config.label, round);
          process.stdout.write(
            `AOF ${config.label.padEnd(8)} round ${round} ${kind.padEnd(9)} ${m.rps} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}  jobs ${m.jobs}/${m.requests}\n`,
          );
          all.push(m);
        }
      }
    } finally {
      await redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const redisVersion =
    /v=([\d.]+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ??
    '?';
  const rows = all.map(
    (m) =>
      `| ${m.aof} | ${m.round} | ${m.server} | ${m.rps} | ${m.p50} | ${m.p99} | ${m.p999} | ${m.requests} | ${m.non2xx} | ${m.errors} | ${m.jobs} | ${m.rssMiB} |`,
  );
  const summary = configs.map(({ label }) => {
    const of = (server: string) => all.filter((m) => m.aof === label && m.server === server);
    const ratio = mean(of('receiver').map((m) => m.rps)) / mean(of('reference').map((m) => m.rps));
    return {
      label,
      ratio,
      receiverRps: mean(of('receiver').map((m) => m.rps)),
      referenceRps: mean(of('reference').map((m) => m.rps)),
      receiverP99: mean(of('receiver').map((m) => m.p99)),
      referenceP99: mean(of('reference').map((m) => m.p99)),
    };
  });
  const verdict = summary.map(
    (s) =>
      `| ${s.label} | ${Math.round(s.referenceRps)} | ${Math.round(s.receiverRps)} | **${s.ratio.toFixed(2)}×** | ${s.referenceP99.toFixed(1)} | ${s.receiverP99.toFixed(1)} | ${s.ratio >= TARGET_RATIO ? 'meets' : 'MISSES'} ≥ ${TARGET_RATIO}× |`,
  );
  const cpu = cpus();
  const report = `# Benchmark results

Generated by \`pnpm bench${quick ? ':quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; redis-server ${redisVersion};
express ${versionOf('express')}, bullmq ${versionOf('bullmq')}, ioredis ${versionOf('ioredis')}.
The machine is shared and noisy: compare the ratio, measured in the same run, not the absolute figures.

## 1. Webhook ingest: receiver vs minimal reference

Load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per measurement after a warm-up, every request
a unique \`contact.changed\` signed with HMAC-SHA256. Servers are separate processes on their own
free ports against one private redis-server per AOF setting (flushed between measurements); rounds
alternate the order. The **reference** is Express 5 + raw body + HMAC + \`queue.add\` and nothing else.
The **receiver** is \`apps/receiver\` as shipped (production config, JSON logs at info; the per-delivery
access line is at \`http\` level, so not written at info): content type, signature, depth check, zod
schema, tenant check, EventId duplicate detection (an EXISTS per request), spool fallback with a
time bound, metrics. Its producer connection uses ioredis auto-pipelining; the reference uses a default
connection, as a minimal server would.

| AOF | reference req/s | receiver req/s | receiver / reference | reference p99 ms | receiver p99 ms | target |
|---|---|---|---|---|---|---|
${verdict.join('\n')}

All measurements:

| AOF | round | server | req/s | p50 ms | p99 ms | p99.9 ms | requests | non-2xx | errors | jobs in Redis | RSS MiB |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

"jobs in Redis" counts the waiting jobs after the run: at least the 2xx answers (requests still in flight
when the timer stopped are queued but not counted by autocannon), so nothing answered was lost.
`;
  writeFileSync(join(__dirname, '..', quick ? 'RESULTS.quick.md' : 'RESULTS.md'), report);
  process.stdout.write(
    `\n${verdict.join('\n')}\nwritten to bench/${quick ? 'RESULTS.quick.md' : 'RESULTS.md'}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
