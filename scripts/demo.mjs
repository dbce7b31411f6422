#!/usr/bin/env node
// The README's first command: the whole product on its embedded default — a simulated SuperOffice
// tenant (Cust12345), the receiver, the worker with the builtin provider, and local Redis. It
// registers the webhook, creates a company as a human would, and shows the enrichment written
// back, the echo skipped, and what each step cost. Then it keeps serving until Ctrl-C.
// `--once` exits after the walk-through. While it runs, `.env.demo` (or DEMO_ENV_FILE) holds the
// demo's environment, which `npm run cli` reads: `npm run cli -- doctor` checks the running demo.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const once = process.argv.includes('--once');
const env = process.env;
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A fresh prefix per run: the simulated tenant starts from its seed each time, so nothing queued or
// remembered by an earlier demo run may leak into this one.
const QUEUE_PREFIX = env.QUEUE_PREFIX ?? `so-demo-${Date.now().toString(36)}`;
const TENANT = 'Cust12345';
const SECRET = env.WEBHOOK_SECRET ?? randomBytes(24).toString('base64');
// The dashboard login: printed at the end, never logged by the processes.
const ADMIN_USER = env.ADMIN_USER ?? 'admin';
const ADMIN_PASSWORD = env.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
// The CLI's view of the running demo; removed when the demo stops. Its secrets are this run's.
const ENV_FILE = env.DEMO_ENV_FILE ?? join(root, '.env.demo');
const UDF = {
  SO_UDF_VERTICAL: 'SuperOffice:83',
  SO_UDF_SUMMARY: 'SuperOffice:84',
  SO_UDF_OPENER: 'SuperOffice:85',
  SO_UDF_PERSON_OPENER: 'SuperOffice:91',
};

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
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
  if (await reachable(REDIS_URL)) return;
  const { hostname, port } = new URL(REDIS_URL);
  if (
    !['127.0.0.1', 'localhost', '::1'].includes(hostname) ||
    spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0
  ) {
    say(
      `No Redis answers at ${REDIS_URL}. Install redis-server (apt-get install redis-server) or set REDIS_URL.`,
    );
    process.exit(1);
  }
  const dir = join(root, 'var', 'redis');
  mkdirSync(dir, { recursive: true });
  say(`Starting redis-server on port ${port || 6379} (AOF on, noeviction, data in var/redis)`);
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
  for (let i = 0; i < 50 && !(await reachable(REDIS_URL)); i++) await sleep(100);
}

const children = [];
function start(name, script, extraEnv) {
  const child = spawn(process.execPath, [join(root, script)], {
    env: {
      PATH: env.PATH,
      LOG_FORMAT: 'pretty',
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
      REDIS_URL,
      QUEUE_PREFIX,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (chunk) => {
    if (!once || env.DEMO_VERBOSE)
      process.stdout.write(chunk.toString().replace(/^/gm, `[${name}] `));
  });
  child.once('exit', (code) => {
    if (!stopping) {
      say(`${name} exited with code ${code}`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let envFileText;
function writeEnvFile(vars) {
  const quote = (v) => (/^[\w:/.+=,@-]*$/.test(v) ? v : JSON.stringify(v));
  envFileText = [
    `# Written by npm run demo (pid ${process.pid}) for the CLI: npm run cli -- doctor`,
    "# The local demo's own secrets; deleted when the demo stops.",
    ...Object.entries(vars).map(([name, value]) => `${name}=${quote(String(value))}`),
    '',
  ].join('\n');
  writeFileSync(ENV_FILE, envFileText, { mode: 0o600 });
}
function removeEnvFile() {
  try {
    // Only our own: a second demo started meanwhile has written its own.
    if (envFileText && readFileSync(ENV_FILE, 'utf8') === envFileText) rmSync(ENV_FILE);
  } catch {
    /* already gone */
  }
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  removeEnvFile();
  for (const child of children) child.kill('SIGTERM');
  Promise.all(
    children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))),
  ).then(() => process.exit(code));
}
process.once('exit', removeEnvFile); // also when the walk-through throws
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

await ensureRedis();
const [simPort, receiverPort, metricsPort] = [
  Number(env.SIM_PORT ?? (await freePort())),
  Number(env.PORT ?? 3000),
  Number(env.METRICS_PORT ?? (await freePort())),
];
const sim = `http://127.0.0.1:${simPort}`;
const receiver = `http://127.0.0.1:${receiverPort}`;

start('simulator', 'packages/superoffice-simulator/dist/main.js', {
  SIM_PORT: String(simPort),
  SIM_RETRY_SCALE: '1',
});
await waitFor(async () => (await fetch(`${sim}/api/state/${TENANT}`)).ok, 'the simulator');
const state = await (await fetch(`${sim}/api/state/${TENANT}`)).json();

const receiverEnv = {
  PORT: String(receiverPort),
  SO_CONTEXT_IDENTIFIER: TENANT,
  WEBHOOK_SECRET: SECRET,
  SPOOL_DIR: env.SPOOL_DIR ?? join(root, 'var', 'spool'),
  ADMIN_USER,
  ADMIN_PASSWORD,
  ...UDF, // the dashboard names the fields written
};
start('receiver', 'apps/receiver/dist/main.js', receiverEnv);
await waitFor(async () => (await fetch(`${receiver}/readyz`)).ok, 'the receiver');

const workerEnv = {
  SO_CONTEXT_IDENTIFIER: TENANT,
  SO_CLIENT_ID: 'sim-client-id',
  SO_CLIENT_SECRET: 'sim-client-secret',
  SO_REFRESH_TOKEN: 'sim-refresh-token',
  SO_TOKEN_URL: `${sim}/login/common/oauth/tokens`,
  SO_API_BASE_URL: state.Api,
  ENRICHMENT_PROVIDER: 'builtin',
  ENRICH_DEBOUNCE_MS: '1000',
  ENRICH_MAX_WAIT_MS: '10000',
  WEBHOOK_PUBLIC_URL: `${receiver}/webhooks/superoffice`,
  METRICS_PORT: String(metricsPort),
  WATCHDOG_INTERVAL_MS: '60000',
  ...UDF,
};
start('worker', 'apps/worker/dist/main.js', workerEnv);
writeEnvFile({ REDIS_URL, QUEUE_PREFIX, ...workerEnv, ...receiverEnv });

// What an operator does once: register the webhook (SuperOffice pings it with a test event).
const token = (
  await (
    await fetch(`${sim}/login/common/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=sim-client-id&client_secret=sim-client-secret&refresh_token=sim-refresh-token',
    })
  ).json()
).access_token;
const api = (path, init = {}) =>
  fetch(`${state.Api}/v1${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  }).then((r) => r.json());
const hook = await api('/Webhook', {
  method: 'POST',
  body: JSON.stringify({
    Name: 'so-connector',
    Events: ['contact.created', 'contact.changed', 'person.created', 'person.changed'],
    TargetUrl: `${receiver}/webhooks/superoffice`,
    Secret: SECRET,
  }),
});

say();
say(
  `so-connector demo: simulated tenant ${TENANT} at ${sim}, receiver at ${receiver}, worker with the builtin provider.`,
);
say(
  `Webhook ${hook.WebhookId} registered (${hook.State}); the receiver answered SuperOffice's test ping.`,
);

// What a salesperson does in SuperOffice: create a company.
const company = await (
  await fetch(`${sim}/sim/contact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sim-associate': '5' },
    body: JSON.stringify({
      Name: 'Solgrid Energy AS',
      OrgNr: '923456781',
      Description: 'Solar power plants and grid batteries for Nordic utilities.',
      Urls: [{ Value: 'https://solgrid.no', StrippedValue: 'solgrid.no', Description: '' }],
      Domains: ['solgrid.no'],
      Country: { CountryId: 578, Name: 'Norway' },
    }),
  })
).json();
say(
  `Created company ${company.ContactId} "${company.Name}" as associate 5 (a human): SuperOffice sends contact.created.`,
);

const enriched = await waitFor(async () => {
  const contact = await api(`/Contact/${company.ContactId}`);
  return contact.UserDefinedFields?.[UDF.SO_UDF_VERTICAL] ? contact : undefined;
}, 'the enrichment');
const udfs = enriched.UserDefinedFields;
say('Written back by the worker:');
say(
  `  Vertical (${UDF.SO_UDF_VERTICAL})  ${udfs[UDF.SO_UDF_VERTICAL]} = ${udfs[`${UDF.SO_UDF_VERTICAL}:DisplayText`]}`,
);
say(`  Summary  (${UDF.SO_UDF_SUMMARY})  ${udfs[UDF.SO_UDF_SUMMARY]}`);
say(`  Opener   (${UDF.SO_UDF_OPENER})  ${udfs[UDF.SO_UDF_OPENER].split('\n')[0]}`);

// The write comes back as contact.changed by the connector's own user: it must be skipped.
await sleep(2500);
const counters = await (await fetch(`${sim}/sim/counters`)).json();
say(`SuperOffice calls: ${JSON.stringify(counters)}`);
say(
  `PATCHes of the company: ${counters['PATCH Contact/{id}'] ?? 0} (the echo of the write was skipped, no ping-pong)`,
);

// A few more changes, as a day in the CRM brings them: a burst of edits to one company (one
// enrichment, thanks to the debounce), a change nobody needs enriched, and a person's new title.
const sim_ = (method, path, body) =>
  fetch(`${sim}/sim/${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-sim-associate': '5' },
    body: JSON.stringify(body),
  }).then((r) => r.json());
say();
say('More changes by humans:');
for (const name of ['Nordlys Robot', 'Nordlys Robotics', 'Nordlys Robotics ASA'])
  await sim_('PATCH', 'contact/2', { Name: name });
say('  company 2 renamed three times in a row (a burst)');
await sim_('PATCH', 'contact/3', { Department: 'Sales' });
say('  company 3: department changed (not an input of the enrichment: skipped)');
await sim_('PATCH', 'person/12', { Title: 'Chief Technology Officer' });
say('  person 12: new job title');
const landed = new Set();
let dots = false;
await waitFor(async () => {
  const checks = [
    ['company 2', `/Contact/2`, UDF.SO_UDF_SUMMARY],
    ['person 12', `/Person/12`, UDF.SO_UDF_PERSON_OPENER],
  ];
  for (const [label, path, key] of checks) {
    if (landed.has(label)) continue;
    const value = (await api(path)).UserDefinedFields?.[key];
    if (value && (label !== 'company 2' || value.includes('Nordlys Robotics ASA'))) {
      landed.add(label);
      if (dots) process.stdout.write('\n');
      dots = false;
      say(`  ✓ ${label} enriched: ${String(value).split('\n')[0].slice(0, 90)}`);
    }
  }
  if (landed.size < checks.length) {
    process.stdout.write('.'); // progress while the debounce window runs
    dots = true;
  }
  return landed.size === checks.length;
}, 'the enrichments of company 2 and person 12');
await sleep(1500);
const after = await (await fetch(`${sim}/sim/counters`)).json();
say(
  `PATCHes of company 2: ${after['PATCH Contact/{id}'] - (counters['PATCH Contact/{id}'] ?? 0)} for three renames`,
);
say();
say(`Dashboard: ${receiver}/admin  (user ${ADMIN_USER}, password ${ADMIN_PASSWORD})`);
say(
  `Queues:    ${receiver}/admin/queues   Metrics: ${receiver}/metrics and http://127.0.0.1:${metricsPort}/metrics`,
);
say(
  ENV_FILE === join(root, '.env.demo')
    ? `CLI:       npm run cli -- doctor   (npm run cli reads .env.demo, this demo's environment, while it runs)`
    : `CLI:       npm run cli -- --env-file ${ENV_FILE} doctor`,
);
say();
if (once) stop(0);
else
  say(
    `Serving until Ctrl-C. Change a company: curl -X PATCH ${sim}/sim/contact/2 -H 'content-type: application/json' -d '{"Name":"Nordlys Robotics ASA"}'`,
  );
