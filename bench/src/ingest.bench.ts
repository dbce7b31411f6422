// Benchmark 1: webhook ingest throughput of the receiver against two baselines measured in the
// same run on the same Redis, with unique signed events and 50 connections: the minimal Express
// reference (Express 5 + raw body + HMAC + queue.add) and a bare node:http server (HMAC +
// queue.add, no framework). Rounds alternate the order so that machine noise hits all three; the
// verdict is the ratio, never a bare wall-clock number.
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '@so-connector/testing';
import {
  REPO_ROOT,
  contactChangedBody,
  mean,
  parseArgs,
  rssMiB,
  runMain,
  spawnNode,
  startRedis,
  stopChild,
  writeSection,
  type AofSetting,
} from './bench-common';

const { quick, out } = parseArgs();
const DURATION_S = quick ? 4 : 15;
const ROUNDS = quick ? 1 : 2;
const CONNECTIONS = 50;
const SECRET = 'bench-webhook-secret-0123456789abcdef';
const TENANT = 'Cust12345';
const TARGET_RATIO = 0.9;

type Kind = 'bare' | 'reference' | 'receiver';
const KINDS: readonly Kind[] = ['bare', 'reference', 'receiver'];

interface Measurement {
  readonly server: Kind;
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

const SCRIPTS: Record<Kind, string> = {
  receiver: join(REPO_ROOT, 'apps', 'receiver', 'dist', 'main.js'),
  reference: join(__dirname, 'reference-server.js'),
  bare: join(__dirname, 'bare-server.js'),
};

async function startServer(
  kind: Kind,
  redisUrl: string,
  prefix: string,
  spoolDir: string,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawnNode(SCRIPTS[kind], {
    NODE_ENV: 'production',
    PORT: String(port),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    WEBHOOK_SECRET: SECRET,
    SO_CONTEXT_IDENTIFIER: TENANT,
    SPOOL_DIR: spoolDir,
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

function load(port: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/webhooks/superoffice',
        setupRequest: (request) => {
          const body = contactChangedBody(TENANT);
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
  kind: Kind,
  redisUrl: string,
  aof: string,
  round: number,
): Promise<Measurement> {
  const prefix = `bench-${kind}-${round}`;
  const spoolDir = mkdtempSync(join(tmpdir(), 'so-bench-spool-'));
  const { child, port } = await startServer(kind, redisUrl, prefix, spoolDir);
  try {
    await load(port, 1); // warm-up: JIT, connection pools (these jobs are flushed below)
    const client = new Redis(redisUrl);
    await client.flushall();
    const result = await load(port, DURATION_S);
    const rss = rssMiB(child.pid);
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
    await stopChild(child);
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const all: Measurement[] = [];
  const configs: { aof: AofSetting; label: string }[] = quick
    ? [{ aof: false, label: 'off' }]
    : [
        { aof: false, label: 'off' },
        { aof: 'everysec', label: 'everysec' },
        { aof: 'always', label: 'always' },
      ];
  for (const config of configs) {
    const redis = await startRedis({ appendOnly: config.aof });
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 === 1 ? KINDS : [...KINDS].reverse();
        for (const kind of order) {
          const m = await measure(kind, redis.url, config.label, round);
          process.stdout.write(
            `[ingest] AOF ${config.label.padEnd(8)} round ${round} ${kind.padEnd(9)} ${m.rps} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}  jobs ${m.jobs}/${m.requests}\n`,
          );
          all.push(m);
        }
      }
    } finally {
      await redis.dispose();
    }
  }

  const rows = all.map(
    (m) =>
      `| ${m.aof} | ${m.round} | ${m.server} | ${m.rps} | ${m.p50} | ${m.p99} | ${m.p999} | ${m.requests} | ${m.non2xx} | ${m.errors} | ${m.jobs} | ${m.rssMiB} |`,
  );
  const summary = configs.map(({ label }) => {
    const of = (server: Kind, pick: (m: Measurement) => number) =>
      mean(all.filter((m) => m.aof === label && m.server === server).map(pick));
    const rps = (k: Kind) => of(k, (m) => m.rps);
    return {
      label,
      vsReference: rps('receiver') / rps('reference'),
      vsBare: rps('receiver') / rps('bare'),
      rps,
      p: (k: Kind) =>
        `${of(k, (m) => m.p50).toFixed(1)} / ${of(k, (m) => m.p99).toFixed(1)} / ${of(k, (m) => m.p999).toFixed(1)}`,
      rss: (k: Kind) => of(k, (m) => m.rssMiB).toFixed(1),
    };
  });
  const verdict = summary.map(
    (s) =>
      `| ${s.label} | ${Math.round(s.rps('bare'))} | ${Math.round(s.rps('reference'))} | ${Math.round(s.rps('receiver'))} | **${s.vsReference.toFixed(2)}×** | ${s.vsBare.toFixed(2)}× | ${s.vsReference >= TARGET_RATIO ? 'meets' : 'MISSES'} ≥ ${TARGET_RATIO}× |`,
  );
  const latency = summary.map(
    (s) =>
      `| ${s.label} | ${s.p('bare')} | ${s.p('reference')} | ${s.p('receiver')} | ${s.rss('bare')} | ${s.rss('reference')} | ${s.rss('receiver')} |`,
  );
  const section = `## 1. Webhook ingest: receiver vs minimal Express reference vs bare node:http

Load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per measurement after a 1 s warm-up, every
request a unique \`contact.changed\` signed with HMAC-SHA256. Servers are separate processes on their
own free ports against one private redis-server per AOF setting (flushed before and after each
measurement); ${ROUNDS} round(s) per AOF setting, alternating the order.
The **bare** baseline is \`node:http\` + HMAC + \`queue.add\` (bench/src/bare-server.ts): no framework.
The **reference** is Express 5 + raw body + HMAC + \`queue.add\` and nothing else (bench/src/reference-server.ts).
The **receiver** is \`apps/receiver\` as shipped (production config, JSON logs at info; the per-delivery
access line is at \`http\` level, so not written at info): content type, signature, depth check, zod
schema, tenant check, EventId duplicate detection (an EXISTS per request), spool fallback with a
time bound, metrics. Its producer connection uses ioredis auto-pipelining; both baselines use a
default connection, as a minimal server would.

| AOF | bare req/s | reference req/s | receiver req/s | receiver / reference | receiver / bare | target |
|---|---|---|---|---|---|---|
${verdict.join('\n')}

Latency at ${CONNECTIONS} connections (mean over rounds, ms) and resident memory after the load (MiB):

| AOF | bare p50 / p99 / p99.9 | reference p50 / p99 / p99.9 | receiver p50 / p99 / p99.9 | bare RSS | reference RSS | receiver RSS |
|---|---|---|---|---|---|---|
${latency.join('\n')}

All measurements:

| AOF | round | server | req/s | p50 ms | p99 ms | p99.9 ms | requests | non-2xx | errors | jobs in Redis | RSS MiB |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

"jobs in Redis" counts the waiting jobs after the run: at least the 2xx answers (requests still in flight
when the timer stopped are queued but not counted by autocannon), so nothing answered was lost.
`;
  const first = summary[0]!;
  writeSection(out, section, [
    '1. Webhook ingest',
    'receiver / Express reference, req/s (AOF off)',
    `**${first.vsReference.toFixed(2)}×**`,
    `receiver / bare node:http ${first.vsBare.toFixed(2)}×; target ≥ ${TARGET_RATIO}× of the reference`,
  ]);
  process.stdout.write(`[ingest]\n${verdict.join('\n')}\n`);
}

runMain('ingest', main);
