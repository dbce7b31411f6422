import { isUtf8 } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, webhookEventSchema } from '@so-connector/queue';
import {
  aWebhookEvent,
  freePort,
  signWebhookBody,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import {
  CATEGORIES,
  credentialsSent,
  deliver,
  generateCorpus,
  judge,
  MAX_BODY_BYTES,
  sign,
  WEBHOOK_PATHS,
  type BadCase,
  type Category,
  type HttpCase,
  type Outcome,
} from './bad-input-corpus';
import { startApp, type ProductProcess } from './processes';

const SEED = 0x50c06e;
const SECRET = 'bad-input-webhook-secret-7f3a9c21';
const TOKEN = 'bad-input-legacy-token-4b1d9e';
const ADMIN_USER = 'bad-input-admin';
const ADMIN_PASSWORD = 'bad-input-admin-password-91c2';
const CONCURRENCY = 24;
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;

const corpusOptions = { seed: SEED, secret: SECRET, token: TOKEN, tenant: TEST_TENANT };

/** Nesting depth of a JSON text beyond `limit` (brackets outside strings). */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (const token of text.matchAll(/"(?:[^"\\]|\\.)*"|[[{]|[\]}]/g)) {
    if (token[0] === '[' || token[0] === '{') {
      if (++depth > limit) return true;
    } else if (token[0] === ']' || token[0] === '}') depth--;
  }
  return false;
}

/**
 * An independent model of what the receiver must accept (DESIGN.md, receiver HTTP contract): a POST
 * to a webhook path, JSON content type, identity encoding, within the limit, authentic (the one
 * signature header, or the token with no signature), a UTF-8 JSON object that passes the schema,
 * for this tenant (or the registration ping). The generator must never produce such a request.
 */
function wouldBeAccepted(c: HttpCase): boolean {
  const [path = '', query = ''] = c.path.split('?');
  const normalised = path.toLowerCase().replace(/\/$/, '');
  if (c.method !== 'POST' || !(WEBHOOK_PATHS as readonly string[]).includes(normalised))
    return false;
  const values = (name: string) =>
    c.headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value.trim());
  const type = values('content-type')[0] ?? '';
  if (!/^application\/(json|[!#$&^_.+\w-]+\+json)\s*(;|$)/i.test(type)) return false;
  if (values('content-encoding').some((e) => e.toLowerCase() !== 'identity')) return false;
  const body = c.body ?? Buffer.alloc(0);
  if (body.length > MAX_BODY_BYTES) return false;
  // The receiver refuses nesting deeper than 32 levels before parsing (parse-event.ts).
  if (nestedDeeperThan(body.toString('utf8'), 32)) return false;
  const signatures = values('x-superoffice-signature');
  const tokens = new URLSearchParams(query).getAll('token');
  const authentic =
    signatures.length > 0
      ? signatures.length === 1 && signatures[0] === sign(body, SECRET)
      : tokens.length === 1 && tokens[0] === TOKEN;
  let event: unknown;
  try {
    event = isUtf8(body) ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return false;
  }
  const parsed = webhookEventSchema.safeParse(event);
  if (!parsed.success) return false;
  if (parsed.data.Event === 'test') return true;
  return authentic && parsed.data.ContextIdentifier.toLowerCase() === TEST_TENANT.toLowerCase();
}

const bodyBytes = (c: BadCase) =>
  c.transport === 'http'
    ? (c.body?.length ?? 0)
    : c.transport === 'raw'
      ? c.body().reduce((n, b) => n + b.length, 0)
      : 0;

describe('the bad-input corpus', () => {
  const corpus = generateCorpus(corpusOptions);

  it('has at least 10,000 cases covering every category', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    const byCategory = new Map<Category, number>();
    for (const c of corpus) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
    expect(CATEGORIES.filter((category) => !byCategory.has(category))).toEqual([]);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
  });

  it('is the same for the same seed and differs for another seed', () => {
    const digest = (cases: BadCase[]) => {
      const hash = createHash('sha256');
      for (const c of cases) {
        hash.update(`${c.category}|${c.label}|`);
        if (c.transport === 'http')
          hash.update(`${c.method} ${c.path} ${JSON.stringify(c.headers)}`).update(c.body ?? '');
        else hash.update(c.head);
      }
      return hash.digest('hex');
    };
    expect(digest(generateCorpus(corpusOptions))).toBe(digest(corpus));
    expect(digest(generateCorpus({ ...corpusOptions, seed: SEED + 1 }))).not.toBe(digest(corpus));
  });

  it('contains no request the receiver should accept', () => {
    const accepted = corpus.filter((c) => c.transport === 'http' && wouldBeAccepted(c));
    expect(accepted.map((c) => `${c.category}: ${c.label}`)).toEqual([]);
    // The model itself accepts a right delivery, by signature and by token.
    const body = Buffer.from(JSON.stringify(aWebhookEvent()));
    const valid = (path: string, headers: [string, string][]): HttpCase => ({
      id: -1,
      category: 'wrong-path',
      label: 'valid',
      transport: 'http',
      method: 'POST',
      path,
      headers,
      body,
      expect: { status: [200], body: 'json' },
    });
    const json: [string, string] = ['content-type', 'application/json'];
    expect(
      wouldBeAccepted(
        valid('/webhooks/superoffice', [json, ['x-superoffice-signature', sign(body, SECRET)]]),
      ),
    ).toBe(true);
    expect(wouldBeAccepted(valid(`/connector/webhook?token=${TOKEN}`, [json]))).toBe(true);
  });

  it('has 100k-entry arrays within the size limit, 10k-level nesting, and oversized bodies over it', () => {
    const of = (category: Category) => corpus.filter((c) => c.category === category);
    const huge = of('huge-array');
    expect(huge.every((c) => bodyBytes(c) <= MAX_BODY_BYTES)).toBe(true);
    expect(huge.some((c) => /of 1\d{5} /.test(c.label))).toBe(true);
    expect(of('deep-nesting').some((c) => c.label.startsWith('10000 levels'))).toBe(true);
    expect(of('oversized-chunked').every((c) => bodyBytes(c) > MAX_BODY_BYTES)).toBe(true);
    expect(
      of('oversized-declared').every(
        (c) =>
          c.transport === 'raw' &&
          Number(/Content-Length: (\d+)/.exec(c.head)?.[1]) > MAX_BODY_BYTES,
      ),
    ).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

let redis: TestRedis;
let receiver: ProductProcess;
let port: number;
let spoolDir: string;
let connection: Redis;
let events: Queue;
// With a timeout set, the agent drops an idle socket a second before the receiver's keep-alive
// timeout (its `Keep-Alive: timeout=5` hint) instead of reusing one the receiver is closing.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, timeout: 60_000 });

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

function post(
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: WEBHOOK_PATHS[0],
        headers,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function residentBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

async function jobCounts(): Promise<Record<string, number>> {
  return events.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
    'paused',
    'waiting-children',
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

beforeAll(async () => {
  redis = await useTestRedis();
  port = await freePort();
  spoolDir = mkdtempSync(join(tmpdir(), 'so-bad-input-spool-'));
  receiver = startApp('receiver', {
    PORT: String(port),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SO_CONTEXT_IDENTIFIER: TEST_TENANT,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_TOKEN: TOKEN,
    ADMIN_USER,
    ADMIN_PASSWORD,
    SPOOL_DIR: spoolDir,
    // Everything the receiver can log is logged, and scanned for secrets below.
    LOG_LEVEL: 'silly',
  });
  await waitFor(async () => (await get('/readyz')).status === 200, {
    timeoutMs: 15_000,
    what: 'the receiver',
  });
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  events = new Queue(QUEUE_NAMES.events, { connection, prefix: redis.prefix });
});

afterAll(async () => {
  await receiver?.kill();
  agent.destroy();
  await events?.close();
  connection?.disconnect();
  await redis?.cleanup();
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
});

describe('a running receiver under the bad-input corpus', () => {
  it('answers every malformed request with a clear 4xx, keeps serving, queues nothing and keeps its memory', async () => {
    const corpus = generateCorpus(corpusOptions);
    const slow = corpus.filter((c) => c.transport === 'slow');
    const rest = corpus.filter((c) => c.transport !== 'slow');
    const forbidden = [SECRET, TOKEN, ADMIN_PASSWORD];
    const target = { port, agent, slowDeadlineMs: 3000 };
    // Two passes over the whole corpus: the first warms the receiver up (heap, JIT, buffers), the
    // memory it holds after the second must not have grown by more than the bound.
    const passes = [new Map<number, Outcome>(), new Map<number, Outcome>()] as const;
    const sender = (results: Map<number, Outcome>) => async (c: BadCase) =>
      void results.set(c.id, await deliver(c, target));
    const results = passes[1];

    // /healthz must answer throughout.
    const health: (number | string)[] = [];
    let probing = true;
    const prober = (async () => {
      while (probing) {
        health.push(
          await get('/healthz').then(
            (r) => r.status,
            (error: Error) => error.message,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    // The slow bodies trickle while the rest of the corpus is sent.
    const rssAtStart = residentBytes(receiver.child.pid!);
    let rssBefore = 0;
    for (const results of passes) {
      const slowRun = Promise.all(slow.map(sender(results)));
      await runPool(rest, CONCURRENCY, sender(results));
      await slowRun;
      if (results === passes[0]) rssBefore = residentBytes(receiver.child.pid!);
    }
    const rssAfter = residentBytes(receiver.child.pid!);
    probing = false;
    await prober;

    // Every case answered as expected.
    const problems = passes.flatMap((pass, n) =>
      corpus.flatMap((c) =>
        judge(c, pass.get(c.id) ?? { error: 'not sent' }, forbidden).map(
          (problem) => `pass ${n + 1} #${c.id} ${c.category} (${c.label}): ${problem}`,
        ),
      ),
    );

    // The table: statuses by category ("held" = a slow request still unanswered at the deadline).
    const table = new Map<Category, Map<string, number>>();
    const columns = new Set<string>();
    for (const c of corpus) {
      const outcome = results.get(c.id);
      const column = outcome?.answer
        ? String(outcome.answer.status)
        : c.transport === 'slow'
          ? 'held'
          : 'none';
      columns.add(column);
      const row = table.get(c.category) ?? new Map<string, number>();
      row.set(column, (row.get(column) ?? 0) + 1);
      table.set(c.category, row);
    }
    const heads = [...columns].sort();
    const line = (name: string, cells: (string | number)[]) =>
      `${name.padEnd(28)}${cells.map((cell) => String(cell).padStart(7)).join('')}`;
    const totals = heads.map((h) =>
      [...table.values()].reduce((n, row) => n + (row.get(h) ?? 0), 0),
    );
    console.log(
      [
        `bad-input corpus: ${corpus.length} requests (seed ${SEED}) sent twice, ${CONCURRENCY} in flight; second pass:`,
        line('category', [...heads, 'total']),
        ...CATEGORIES.map((category) => {
          const row = table.get(category) ?? new Map<string, number>();
          return line(category, [
            ...heads.map((h) => row.get(h) ?? 0),
            [...row.values()].reduce((a, b) => a + b, 0),
          ]);
        }),
        line('all', [...totals, corpus.length]),
        `receiver RSS (VmRSS): at start ${mib(rssAtStart)}, after the warm-up pass ${mib(rssBefore)}, after the second pass ${mib(rssAfter)} (growth ${mib(rssAfter - rssBefore)}, bound ${mib(MAX_RSS_GROWTH_BYTES)})`,
        `slow requests held open without an answer: ${slow.filter((c) => !results.get(c.id)?.answer).length}/${slow.length} for ${Math.min(...slow.map((c) => results.get(c.id)?.heldMs ?? 0))} ms or more`,
        `/healthz probes during the run: ${health.length}, all 200: ${health.every((s) => s === 200)}`,
      ].join('\n'),
    );

    expect(problems.slice(0, 25)).toEqual([]);
    expect(problems).toHaveLength(0);
    expect(health.length).toBeGreaterThan(5);
    expect(health.filter((status) => status !== 200)).toEqual([]);
    expect(rssAfter - rssBefore).toBeLessThan(MAX_RSS_GROWTH_BYTES);

    // Still serving, nothing queued or spooled.
    expect(receiver.child.exitCode).toBeNull();
    expect(Object.values(await jobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(filesUnder(spoolDir)).toEqual([]);

    // A valid signed event is accepted afterwards, and is the only job.
    const event = aWebhookEvent();
    const text = JSON.stringify(event);
    const marker = randomUUID();
    const accepted = await post(text, {
      'content-type': 'application/json',
      'x-superoffice-signature': signWebhookBody(text, SECRET),
      'x-superoffice-eventid': event.EventId,
    });
    expect(accepted).toEqual({
      status: 200,
      body: JSON.stringify({ status: 'accepted', eventId: event.EventId }),
    });
    expect(await jobCounts()).toMatchObject({ waiting: 1 });
    expect(Object.values(await jobCounts()).reduce((a, b) => a + b, 0)).toBe(1);

    // No secret, token or signature sent reaches the receiver's output. A refused delivery's
    // EventId header is logged: it shows that the values sent do reach the log when logged.
    const refused = await post(text, {
      'content-type': 'application/json',
      'x-superoffice-signature': 'x',
      'x-superoffice-eventid': marker,
    });
    expect(refused.status).toBe(401);
    await waitFor(() => receiver.output().includes(marker), { what: 'the refusal in the log' });
    const output = receiver.output();
    const lines = output.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('webhook refused')).length).toBeGreaterThan(20_000);
    const needles = new Set(
      [...forbidden, ...corpus.flatMap(credentialsSent)].filter((v) => v.length >= 12),
    );
    expect(needles.size).toBeGreaterThan(3000);
    const leaked = [...needles].filter((needle) => output.includes(needle));
    expect(
      leaked.map(
        (needle) =>
          `${needle.slice(0, 16)}… in ${lines.find((l) => l.includes(needle))?.slice(0, 160)}`,
      ),
    ).toEqual([]);
  }, 180_000);
});
