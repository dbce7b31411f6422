#!/usr/bin/env node
// The README's first command: runs the receiver on the embedded demo tenant against local Redis,
// sends it a signed SuperOffice event and the registration ping, shows what happened, and keeps
// serving until Ctrl-C. `--once` exits after the walk-through (used by the tests).
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const once = process.argv.includes('--once');
const env = process.env;

// The embedded demo tenant. Every value can be overridden from the environment.
const demo = {
  SO_CONTEXT_IDENTIFIER: env.SO_CONTEXT_IDENTIFIER ?? 'Cust12345',
  WEBHOOK_SECRET: env.WEBHOOK_SECRET ?? 'demo-webhook-secret-change-me',
  REDIS_URL: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  PORT: env.PORT ?? '3000',
  QUEUE_PREFIX: env.QUEUE_PREFIX ?? 'so-demo',
  SPOOL_DIR: env.SPOOL_DIR ?? join(root, 'var', 'spool'),
  LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
  LOG_LEVEL: env.LOG_LEVEL ?? 'info',
};
const base = `http://127.0.0.1:${demo.PORT}`;

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function ensureRedis() {
  if (await reachable(demo.REDIS_URL)) return;
  const { hostname, port } = new URL(demo.REDIS_URL);
  const local = ['127.0.0.1', 'localhost', '::1'].includes(hostname);
  if (!local || spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    say(
      `No Redis answers at ${demo.REDIS_URL}. Install redis-server (apt-get install redis-server) or set REDIS_URL.`,
    );
    process.exit(1);
  }
  const dir = join(root, 'var', 'redis');
  mkdirSync(dir, { recursive: true });
  say(`Starting redis-server on port ${port || 6379} (AOF on, data in var/redis)`);
  spawnSync(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      port || '6379',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'inherit' },
  );
  for (let i = 0; i < 50 && !(await reachable(demo.REDIS_URL)); i++)
    await new Promise((r) => setTimeout(r, 100));
}

async function waitHealthy() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the receiver did not start');
}

async function deliver(body, label) {
  const text = JSON.stringify(body);
  const signature = createHmac('sha256', demo.WEBHOOK_SECRET).update(text).digest('base64');
  const res = await fetch(`${base}/webhooks/superoffice`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-superoffice-signature': signature,
      'x-superoffice-event': body.Event,
    },
    body: text,
  });
  say(`  ${label.padEnd(38)} → ${res.status} ${await res.text()}`);
}

function event(overrides) {
  return {
    EventId: randomUUID(),
    Timestamp: new Date().toISOString(),
    Changes: ['contact_id', 'updated_associate_id', 'updated', 'name'],
    Event: 'contact.changed',
    PrimaryKey: 2,
    Entity: 'contact',
    ContextIdentifier: demo.SO_CONTEXT_IDENTIFIER,
    ChangedByAssociateId: 5,
    WebhookName: 'so-connector demo',
    ...overrides,
  };
}

await ensureRedis();
const receiver = spawn(process.execPath, [join(root, 'apps', 'receiver', 'dist', 'main.js')], {
  env: { ...env, ...demo },
  stdio: ['ignore', 'inherit', 'inherit'],
});
receiver.once('exit', (code) => {
  if (!stopping) process.exit(code ?? 1);
});
let stopping = false;
const stop = () => {
  stopping = true;
  receiver.kill('SIGTERM');
  receiver.once('exit', (code) => process.exit(code ?? 0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

await waitHealthy();
say();
say(
  `so-connector receiver is up on ${base} for demo tenant ${demo.SO_CONTEXT_IDENTIFIER} (queue prefix "${demo.QUEUE_PREFIX}").`,
);
say('Sending what SuperOffice would send:');
const changed = event({});
await deliver(
  event({
    Event: 'test',
    Entity: 'test',
    PrimaryKey: 0,
    Changes: [],
    ContextIdentifier: 'Default',
  }),
  'registration ping (test event)',
);
await deliver(changed, 'contact.changed (signed)');
await deliver(changed, 'the same EventId again (a retry)');
await deliver(event({ ContextIdentifier: 'Cust99999' }), 'an event of another tenant');
const unsigned = await fetch(`${base}/webhooks/superoffice`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(event({})),
});
say(`  ${'an unsigned event'.padEnd(38)} → ${unsigned.status} ${await unsigned.text()}`);
const ready = await fetch(`${base}/readyz`);
say(`  ${'GET /readyz'.padEnd(38)} → ${ready.status} ${await ready.text()}`);
say();
say(`Queued jobs are in Redis under ${demo.QUEUE_PREFIX}:so-events:*; metrics at ${base}/metrics.`);
if (once) stop();
else
  say(
    'Serving until Ctrl-C. Point a SuperOffice webhook (or the simulator) at /webhooks/superoffice.',
  );
