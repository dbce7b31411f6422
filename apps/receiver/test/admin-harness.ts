import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';
import {
  ActivityCounters,
  SyncRunStore,
  WebhookHealthStore,
  type RunFact,
  type WebhookHealth,
} from '@so-connector/sync-runs';
import { TEST_TENANT } from '@so-connector/testing';
import { startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

export const ADMIN_USER = 'ops';
export const ADMIN_PASSWORD = 'admin-password-for-tests-123';

/** The whole receiver in-process with the admin UI switched on (real Redis, real HTTP). */
export function startAdminReceiver(options: {
  redisUrl: string;
  prefix: string;
  write?: boolean;
}): Promise<ReceiverUnderTest> {
  return startReceiverForTest({
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    env: {
      ADMIN_USER,
      ADMIN_PASSWORD,
      ADMIN_WRITE: options.write ? 'true' : 'false',
      // The keys of the seeded runs' fields written: the pages name them.
      SO_UDF_VERTICAL: 'SuperOffice:1',
      SO_UDF_SUMMARY: 'SuperOffice:2',
    },
  });
}

export function basicAuth(user = ADMIN_USER, password = ADMIN_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Signs in through the login form; returns the `Cookie` header to send afterwards. */
export async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: ADMIN_USER, password: ADMIN_PASSWORD, next: '/admin' }),
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('so_admin='));
  if (res.status !== 303 || !cookie) throw new Error(`login failed: ${res.status}`);
  return cookie.split(';')[0]!;
}

/** Secret-looking values put into seeded jobs and facts; no admin page or API may show them. */
export const PLANTED = {
  apiKey: 'sk-live-PLANTED-apikey-0001',
  bearer: 'PLANTEDbearer0002xyz',
  tokenInError: 'PLANTED-token-0003',
  hookToken: 'PLANTED-hooktoken-0004',
  signature: 'PLANTED-signature-0005',
} as const;

export const EVENT_IDS = {
  acmeChanged: '1b7a1d7e-54d4-4f0e-9a55-6f3b2e1d0c01',
  acmeEcho: '1b7a1d7e-54d4-4f0e-9a55-6f3b2e1d0c02',
  globexChanged: '1b7a1d7e-54d4-4f0e-9a55-6f3b2e1d0c03',
  initechNoise: '1b7a1d7e-54d4-4f0e-9a55-6f3b2e1d0c04',
} as const;

export const ENRICH_JOB_IDS = { acme: 'enrich-acme-1', globex: 'enrich-globex-1' } as const;

export interface SeededData {
  /** Run ids (the id of each run's first entry). */
  readonly runs: { readonly acme: string; readonly globex: string; readonly initech: string };
  readonly now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function eventJobData(eventId: string, contactId: number, extra: Record<string, unknown> = {}) {
  return {
    tenant: TEST_TENANT,
    receivedAt: new Date().toISOString(),
    deliveryRetry: 0,
    spooled: false,
    event: {
      EventId: eventId,
      Timestamp: new Date().toISOString(),
      Changes: ['name'],
      Event: 'contact.changed',
      Entity: 'contact',
      PrimaryKey: contactId,
      ContextIdentifier: TEST_TENANT,
      ChangedByAssociateId: 5,
      WebhookName: 'so-connector',
      FieldValues: { name: 'Acme AS', api_key: PLANTED.apiKey },
    },
    ...extra,
  };
}

/**
 * What the worker would have left in Redis: sync-run facts for three accounts, the jobs they
 * reference (one of them failed, with a token in its error), webhook health and activity counts.
 */
export async function seedAdminData(redisUrl: string, prefix: string): Promise<SeededData> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = {
    events: new Queue(QUEUE_NAMES.events, { connection: redis, prefix }),
    enrich: new Queue(QUEUE_NAMES.enrich, { connection: redis, prefix }),
  };
  try {
    const now = Date.now();
    const t0 = now - 30 * 60_000;

    await queues.events.add(
      'contact.changed',
      eventJobData(EVENT_IDS.acmeChanged, 42, {
        authorization: `Bearer ${PLANTED.bearer}`,
        note: `delivered with X-SuperOffice-Signature: ${PLANTED.signature}`,
        headers: { 'x-superoffice-signature': PLANTED.signature },
      }),
      { jobId: EVENT_IDS.acmeChanged },
    );
    await queues.events.add('contact.changed', eventJobData(EVENT_IDS.globexChanged, 77), {
      jobId: EVENT_IDS.globexChanged,
    });
    await failOneEnrichment(redisUrl, prefix, queues.enrich, t0);
    await queues.enrich.add(
      'enrich-contact',
      {
        tenant: TEST_TENANT,
        entity: 'contact',
        recordId: 42,
        firstEventAt: iso(t0),
        lastEventId: EVENT_IDS.acmeChanged,
      },
      { jobId: ENRICH_JOB_IDS.acme },
    );

    const base = { tenant: TEST_TENANT } as const;
    const acme = { ...base, accountId: 42, accountName: 'Acme AS', ownerName: 'Ola Nordmann' };
    const facts: RunFact[] = [
      {
        ...acme,
        id: EVENT_IDS.acmeChanged,
        kind: 'event',
        at: iso(t0),
        status: 'QUEUED',
        record: { entity: 'contact', id: 42 },
        event: 'contact.changed',
        reason: 'relevant: name changed',
        job: { queue: QUEUE_NAMES.events, id: EVENT_IDS.acmeChanged },
      },
      {
        ...acme,
        id: `enrich:${ENRICH_JOB_IDS.acme}`,
        kind: 'enrichment',
        at: iso(t0 + 60_000),
        status: 'RUNNING',
        record: { entity: 'contact', id: 42 },
        job: { queue: QUEUE_NAMES.enrich, id: ENRICH_JOB_IDS.acme },
      },
      {
        ...acme,
        id: `enrich:${ENRICH_JOB_IDS.acme}`,
        kind: 'enrichment',
        at: iso(t0 + 90_000),
        status: 'COMPLETED',
        record: { entity: 'contact', id: 42 },
        reason: 'written',
        detail: 'builtin provider',
        calls: { superoffice: 3, provider: 1, patches: 1 },
        fieldsWritten: [
          { key: 'SuperOffice:1', old: 'Unknown', new: 'Software & IT' },
          { key: 'SuperOffice:2', old: '', new: 'Makes <b>widgets</b> for everyone' },
        ],
        job: { queue: QUEUE_NAMES.enrich, id: ENRICH_JOB_IDS.acme },
      },
      {
        ...acme,
        id: EVENT_IDS.acmeEcho,
        kind: 'event',
        at: iso(t0 + 120_000),
        status: 'SKIPPED',
        record: { entity: 'contact', id: 42 },
        event: 'contact.changed',
        reason: 'echo: changed by the connector itself',
      },
      {
        ...base,
        accountId: 77,
        accountName: 'Globex Corp',
        id: EVENT_IDS.globexChanged,
        kind: 'event',
        at: iso(t0 + 5 * 60_000),
        status: 'QUEUED',
        record: { entity: 'contact', id: 77 },
        event: 'contact.changed',
        reason: 'relevant: orgnr changed',
        job: { queue: QUEUE_NAMES.events, id: EVENT_IDS.globexChanged },
      },
      {
        ...base,
        accountId: 77,
        accountName: 'Globex Corp',
        id: `enrich:${ENRICH_JOB_IDS.globex}`,
        kind: 'enrichment',
        at: iso(t0 + 6 * 60_000),
        status: 'FAILED',
        record: { entity: 'contact', id: 77 },
        calls: { superoffice: 2, provider: 1, patches: 1 },
        error: `SuperOffice answered 400 Bad Request: invalid UDF value (sent with Bearer ${PLANTED.bearer})`,
        job: { queue: QUEUE_NAMES.enrich, id: ENRICH_JOB_IDS.globex },
      },
      {
        ...base,
        accountId: 99,
        accountName: 'Initech',
        id: EVENT_IDS.initechNoise,
        kind: 'event',
        at: iso(t0 + 10 * 60_000),
        status: 'SKIPPED',
        record: { entity: 'contact', id: 99 },
        event: 'contact.changed',
        reason: 'irrelevant: no watched column changed',
      },
    ];
    const store = new SyncRunStore({ redis, prefix });
    for (const fact of facts) await store.record(fact);

    const health: WebhookHealth = {
      tenant: TEST_TENANT,
      checkedAt: iso(now - 60_000),
      lastHealthyAt: iso(now - 3600_000),
      webhooks: [
        {
          id: 11,
          name: 'so-connector contacts',
          state: 'Active',
          targetUrl: `https://hooks.example.test/webhooks/superoffice?token=${PLANTED.hookToken}`,
          events: ['contact.created', 'contact.changed'],
        },
        {
          id: 12,
          name: 'so-connector persons',
          state: 'TooManyErrors',
          targetUrl: 'https://hooks.example.test/webhooks/superoffice',
          events: ['person.changed'],
          lastError: `503 from https://hooks.example.test/webhooks/superoffice?token=${PLANTED.hookToken}`,
        },
      ],
      alerts: 3,
      lastAlert: { at: iso(now - 120_000), webhookId: 12, state: 'TooManyErrors', error: '503' },
    };
    await new WebhookHealthStore({ redis, prefix }).write(health);

    const activity = new ActivityCounters({ redis, prefix });
    await activity.increment(TEST_TENANT, ['events', 'enrichments', 'writes'], now - 3 * 3600_000);
    await activity.increment(TEST_TENANT, ['events', 'skips'], now - 3600_000);
    await activity.increment(TEST_TENANT, ['events', 'skips'], now - 60_000);
    await activity.increment(TEST_TENANT, ['events'], now - 2 * DAY_MS);

    return {
      runs: {
        acme: EVENT_IDS.acmeChanged,
        globex: EVENT_IDS.globexChanged,
        initech: EVENT_IDS.initechNoise,
      },
      now,
    };
  } finally {
    await queues.events.close();
    await queues.enrich.close();
    redis.disconnect();
  }
}

const DAY_MS = 24 * 3600_000;

/** Runs one enrichment job through a real worker that fails it (attempts: 1), logging a secret. */
async function failOneEnrichment(
  redisUrl: string,
  prefix: string,
  queue: Queue,
  t0: number,
): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker(
    QUEUE_NAMES.enrich,
    async (job) => {
      await job.log(`calling the provider with api_key=${PLANTED.apiKey}`);
      throw new Error(
        `PATCH /api/v1/Contact/77 failed: token=${PLANTED.tokenInError} Authorization: Bearer ${PLANTED.bearer}`,
      );
    },
    { connection, prefix, autorun: false },
  );
  const failed = new Promise<void>((resolve) => worker.once('failed', () => resolve()));
  void worker.run();
  await queue.add(
    'enrich-contact',
    {
      tenant: TEST_TENANT,
      entity: 'contact',
      recordId: 77,
      firstEventAt: iso(t0),
      lastEventId: EVENT_IDS.globexChanged,
    },
    { jobId: ENRICH_JOB_IDS.globex, attempts: 1 },
  );
  await failed;
  await worker.close();
  connection.disconnect();
}

/** Removes every key under the prefix (queues, runs, health, activity). */
export async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
