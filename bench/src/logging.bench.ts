// Benchmark 12: what a log line costs with the connector's redaction (packages/logger: every
// string searched for every secret value it knows, values under sensitive keys and URL passwords
// removed) as a deployment's tenants grow, against plain winston with the same JSON output and no
// redaction, in the same process and run. A tenant brings 4 random secret values (tenantSecrets),
// registered the way the worker does (logSecretValues(logger).replace).
// Lines go to a stream that drops them, so what is timed is the logger's own work per line.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger, logSecretValues, type Logger } from '@so-connector/logger';
import winston from 'winston';
import { machineHeader, median, parseArgs, runMain, writeSection } from './bench-common';

const { quick, out } = parseArgs();
const LINES = quick ? 20_000 : 100_000;
const ROUNDS = quick ? 1 : 5;
const TENANT_COUNTS = [1, 100, 1000] as const;
const VALUES_PER_TENANT = 4;

/** A destination that drops every line (winston's Stream transport writes objects or strings). */
function sink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * A tenant's secret values, random as real ones are: a webhook secret (64 hex), a client secret
 * (32 hex), a refresh token (64 base64url characters) and a provider API key with the prefix
 * every tenant's shares (`sk-proj-`: one bucket of the index holds them all).
 */
function tenantSecrets(): string[] {
  return [
    randomBytes(32).toString('hex'),
    randomBytes(16).toString('hex'),
    randomBytes(48).toString('base64url'),
    `sk-proj-${randomBytes(36).toString('base64url')}`,
  ];
}

/** The lines a busy worker writes most, with their usual fields (≈ 150–300 characters each). */
function logLines(logger: Logger, i: number): void {
  const tenant = `Cust${10000 + (i % 100)}`;
  logger.info('record written', {
    tenant,
    entity: 'contact',
    recordId: 1000 + i,
    fields: ['SuperOffice:83', 'SuperOffice:84', 'SuperOffice:85'],
    eventId: `4a1f9c2e-${i.toString(16).padStart(8, '0')}-4d7b-9e1a-5c3b2d1e0f9a`,
    durationMs: 312,
  });
  logger.warn('SuperOffice call retried', {
    tenant,
    url: `https://sod.superoffice.com/${tenant}/api/v1/Contact/${1000 + i}`,
    status: 503,
    attempt: 2,
  });
  logger.info('event skipped', { tenant, eventId: `evt-${i}`, reason: 'echo' });
}

function plainLogger(): Logger {
  return winston.createLogger({
    level: 'info',
    defaultMeta: { component: 'worker' },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: sink() })],
  });
}

function connectorLogger(tenants: number): Logger {
  const logger = createLogger({
    component: 'worker',
    level: 'info',
    format: 'json',
    secrets: ['env-webhook-secret-0123456789abcdef', 'env-client-secret-fedcba9876543210'],
    destination: sink(),
  });
  const values = logSecretValues(logger)!;
  for (let t = 0; t < tenants; t++) {
    values.replace(`Cust${10000 + t}`, tenantSecrets());
  }
  return logger;
}

interface Variant {
  readonly name: string;
  readonly tenants?: number;
  readonly make: () => Logger;
}

const VARIANTS: readonly Variant[] = [
  { name: 'plain winston (no redaction)', make: plainLogger },
  ...TENANT_COUNTS.map((tenants) => ({
    name: `connector logger, ${tenants} tenant${tenants === 1 ? '' : 's'}`,
    tenants,
    make: () => connectorLogger(tenants),
  })),
];

/** Lets winston hand what it queued to its transport (it delivers on a later tick). */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lines per second for one variant: `LINES` lines (three per call) after a warm-up, in bursts of
 * 300 with a turn of the event loop between them: winston runs the formats in the logging call
 * and delivers to the transport on a later tick, so a loop that never yields would time only the
 * formats and pile every line up in memory.
 */
async function measure(make: () => Logger): Promise<number> {
  const logger = make();
  for (let i = 0; i < 2_000; i++) logLines(logger, i);
  await drain();
  const calls = LINES / 3;
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    logLines(logger, i);
    if (i % 100 === 99) await drain();
  }
  await drain();
  const ms = performance.now() - started;
  logger.close();
  return (calls * 3 * 1000) / ms;
}

/** One line of each shape as it leaves the connector's logger, to show what is redacted. */
function sampleOutput(): string {
  let text = '';
  const logger = createLogger({
    component: 'worker',
    level: 'info',
    format: 'json',
    destination: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        text += chunk.toString('utf8');
        done();
      },
    }),
  });
  const [secret] = tenantSecrets();
  logSecretValues(logger)!.replace('Cust10000', [secret!]);
  logger.warn('token refresh failed', {
    tenant: 'Cust10000',
    detail: `posted ${secret} to https://user:pa55word@auth.example/token`,
    refreshToken: 'rt-abc',
  });
  logger.close();
  return text.trim().replace(/"timestamp":"[^"]+"/, '"timestamp":"…"');
}

async function main(): Promise<void> {
  const rates = new Map<string, number[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate the order, so a slow moment of the shared machine does not land on one variant.
    const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      const rate = await measure(variant.make);
      rates.set(variant.name, [...(rates.get(variant.name) ?? []), rate]);
      process.stdout.write(
        `[logging] round ${round} ${variant.name.padEnd(34)} ${rate.toFixed(0)} lines/s\n`,
      );
    }
  }
  const rateOf = (name: string) => median(rates.get(name) ?? [0]);
  const baseline = rateOf(VARIANTS[0]!.name);
  const rows = VARIANTS.map((v) => {
    const rate = rateOf(v.name);
    const values = v.tenants === undefined ? '–' : String(2 + v.tenants * VALUES_PER_TENANT);
    return `| ${v.name} | ${values} | ${rate.toFixed(0)} | ${(1e6 / rate).toFixed(1)} | ${(rate / baseline).toFixed(2)}× |`;
  });
  const ratioAt = (tenants: number) =>
    rateOf(VARIANTS.find((v) => v.tenants === tenants)!.name) / baseline;
  const largest = TENANT_COUNTS[TENANT_COUNTS.length - 1]!;
  const section = `## 12. Logging: the cost of redaction as tenants grow

${out === undefined ? `${machineHeader(`node dist/logging.bench.js${quick ? ' --quick' : ''}`)}\n\n` : ''}Every line the receiver and the worker write goes through packages/logger: a level gate, then the
redaction (values under sensitive keys, passwords in URLs, and every occurrence of any secret value
the process knows, in every string of the line), then winston's timestamp and JSON. A tenant adds 4
random secret values (webhook secret, client secret, refresh token, a provider key \`sk-proj-…\`
whose prefix every tenant's shares; 32–64 characters), registered as the worker does
(\`logSecretValues(logger).replace(ctx, values)\`); the process's own 2 come from its environment.
Up to 16 values are searched one by one; above, through an index on a rolling hash of their first 6
characters (\`secretReplacer\`, packages/logger/src/secret-values.ts). The **baseline** is plain
winston with the same JSON output and no redaction. ${LINES} lines per measurement, the three
shapes the worker writes most (\`record written\`, \`SuperOffice call retried\` with a URL,
\`event skipped\`; 60–300 characters of fields), to a stream that drops them, in bursts of 300
with a turn of the event loop between them (winston delivers to its transport on a later tick),
after 6,000 lines of warm-up; ${ROUNDS} round(s), alternating the order, median of the rounds.

| logger | secret values | lines/s | µs per line | / plain winston |
|---|---|---|---|---|
${rows.join('\n')}

Per round (lines/s): ${VARIANTS.map((v) => `${v.name}: ${(rates.get(v.name) ?? []).map((r) => r.toFixed(0)).join(', ')}`).join('; ')}.

What a line looks like after redaction (a tenant's secret inside a message, a URL password, a
sensitive key):

\`\`\`
${sampleOutput()}
\`\`\`
`;
  writeSection(out, section, [
    '12. Logging',
    `log lines/s, connector logger with ${largest.toLocaleString('en')} tenants' secrets / plain winston`,
    `**${ratioAt(largest).toFixed(2)}×**`,
    `${TENANT_COUNTS.map((t) => `${t} tenant${t === 1 ? '' : 's'} ${ratioAt(t).toFixed(2)}×`).join(', ')}; ${(1e6 / rateOf(VARIANTS[VARIANTS.length - 1]!.name)).toFixed(1)} µs per line at ${largest.toLocaleString('en')}`,
  ]);
}

runMain('logging', main);
