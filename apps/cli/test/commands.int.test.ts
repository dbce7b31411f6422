import {
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  createRedisConnection,
  enrichDedupId,
  QUEUE_NAMES,
} from '@so-connector/queue';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  createSuperOfficeClient,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { SyncRunStore } from '@so-connector/sync-runs';
import {
  useTestRedis,
  waitFor,
  type TestRedis,
  superOfficeSettingsFor,
} from '@so-connector/testing';
import { Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  cli,
  envFor,
  forceTooManyErrors,
  signedWith,
  startTestReceiver,
  type TestReceiver,
} from './cli-harness';

// Real: Redis (isolated by a key prefix), the simulator over HTTP, a stand-in receiver.
let redis: TestRedis;
let connection: Redis;
let sim: RunningSimulator;
let receiver: TestReceiver;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await useTestRedis();
  connection = createRedisConnection(redis.url, { role: 'worker' });
});
afterAll(async () => {
  await connection.quit();
  await redis.cleanup();
});
beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.001 });
  receiver = await startTestReceiver();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await sim.stop();
  await receiver.close();
});

/** Each test its own queue prefix, so jobs of one test never show in another. */
let testPrefix = '';
beforeEach(() => {
  testPrefix = `${redis.prefix}-${Math.random().toString(36).slice(2, 8)}`;
});
const env = (extra: Record<string, string> = {}) =>
  envFor(sim, { url: redis.url, prefix: testPrefix }, extra);

function queue<Q extends Queue>(create: (c: Redis, prefix: string) => Q): Q {
  const q = create(connection, testPrefix);
  closers.push(() => q.close());
  return q;
}

function connectorClient(): SuperOfficeClient {
  return createSuperOfficeClient(superOfficeSettingsFor(sim));
}

describe('whoami', () => {
  it('shows the API user, its associate id, the tenant and the API base', async () => {
    const text = await cli(['whoami'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^associate id {2}42$/m);
    expect(text.stdout).toMatch(/^tenant {8}Cust12345 \(online\)$/m);
    const json = await cli(['whoami', '--json'], env());
    expect(json.json()).toMatchObject({
      tenant: 'Cust12345',
      apiBase: sim.apiBaseUrl(),
      user: 'so-connector',
      associateId: 42,
    });
  });

  it('exits 78 with one line naming the missing credentials, no stack', async () => {
    const run = await cli(['whoami'], { SO_CONTEXT_IDENTIFIER: 'Cust12345' });
    expect(run.code).toBe(78);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^so-connector: invalid configuration: SO_CLIENT_ID is required/);
  });

  it('exits 3 with an auth hint when SuperOffice refuses the credentials', async () => {
    const run = await cli(['whoami'], env({ SO_CLIENT_SECRET: 'wrong-client-secret' }));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('check SO_CLIENT_ID, SO_CLIENT_SECRET and SO_REFRESH_TOKEN');
    expect(run.stderr).not.toContain('wrong-client-secret');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('discover', () => {
  it('lists the UDFs with the Vertical list items and suggests the SO_UDF_* lines', async () => {
    const run = await cli(['discover', '--json'], env());
    expect(run.code).toBe(0);
    const { udfs, suggestions } = run.json<{
      udfs: { key: string; listItems: unknown[] }[];
      suggestions: string[];
    }>();
    const vertical = udfs.find((u) => u.key === 'SuperOffice:83')!;
    expect(vertical).toMatchObject({ owner: 'Contact', kind: 'list', listName: 'udlist1' });
    expect(vertical.listItems).toHaveLength(8);
    expect(vertical.listItems).toContainEqual({ id: 2, name: 'Software & IT' });
    expect(suggestions).toEqual(
      expect.arrayContaining([
        'SO_UDF_VERTICAL=SuperOffice:83',
        'SO_UDF_SUMMARY=SuperOffice:84',
        'SO_UDF_OPENER=SuperOffice:85',
        'SO_UDF_PERSON_OPENER=SuperOffice:91',
      ]),
    );
    const text = await cli(['discover'], env());
    expect(text.stdout).toContain('[I:5]  Financial Services');
  });

  it('lists the other UDFs when a list cannot be read, naming the failed call', async () => {
    sim.setListReadable('udlist1', 404);
    const run = await cli(['discover', '--json'], env());
    expect(run.code).toBe(0);
    const vertical = run
      .json<{ udfs: { key: string; listItems: unknown; listError?: string }[] }>()
      .udfs.find((u) => u.key === 'SuperOffice:83');
    expect(vertical).toMatchObject({
      listItems: null,
      listError: expect.stringContaining('GET /v1/MDOList/udlist1 answered HTTP 404'),
    });
  });
});

describe('verify', () => {
  async function connectorWrites() {
    // What the worker does: write the UDFs as the API user, then record the fact.
    await connectorClient().patchContactUdfs(2, {
      'SuperOffice:83': '[I:1]',
      'SuperOffice:84': 'Robot cells for Nordic factories.',
    });
    const store = new SyncRunStore({ redis: connection, prefix: testPrefix });
    await store.record({
      id: 'enrich:1',
      kind: 'enrichment',
      tenant: 'Cust12345',
      accountId: 2,
      at: new Date().toISOString(),
      status: 'COMPLETED',
      record: { entity: 'contact', id: 2 },
      fieldsWritten: [
        { key: 'SuperOffice:83', old: '', new: '[I:1]' },
        { key: 'SuperOffice:84', old: '', new: 'Robot cells for Nordic factories.' },
      ],
    });
  }

  it('shows every field matching right after the write', async () => {
    await connectorWrites();
    const run = await cli(['verify', '2', '--json'], env());
    expect(run.json()).toMatchObject({ contactId: 2, differences: 0 });
    expect(run.code).toBe(0);
  });

  it('shows a mismatch after a human edits a field in SuperOffice', async () => {
    await connectorWrites();
    const current = sim.state.get('contact', 2)!.UserDefinedFields as Record<string, unknown>;
    sim.editAs(5, 'contact', 2, {
      UserDefinedFields: { ...current, 'SuperOffice:84': 'Rewritten by Randi' },
    });
    const run = await cli(['verify', '2', '--json'], env());
    expect(run.code).toBe(1);
    const fields = run.json().fields as { key: string; status: string; current: string }[];
    expect(fields.map((f) => [f.key, f.status, f.current])).toEqual([
      ['SuperOffice:83', 'match', '[I:1]'],
      ['SuperOffice:84', 'mismatch', 'Rewritten by Randi'],
    ]);
    const text = await cli(['verify', '2'], env());
    expect(text.stdout).toMatch(/SuperOffice:83 +MATCH .*\[I:1\] \(Manufacturing\)/);
    expect(text.stdout).toMatch(/SuperOffice:84 +MISMATCH/);
  });

  it('says when the connector wrote nothing to the account', async () => {
    const run = await cli(['verify', '3'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^nothing written to contact 3/);
  });
});

describe('raw', () => {
  it("prints SuperOffice's JSON as it is", async () => {
    const run = await cli(['raw', 'GET', '/v1/Contact/2'], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ContactId: 2,
      Name: 'Nordlys Robotics AS',
      UserDefinedFields: { 'SuperOffice:83:DisplayText': '' },
    });
  });

  it('passes a query string along', async () => {
    const run = await cli(['raw', 'GET', 'v1/Contact?$top=2&$skip=1'], env());
    expect(run.json<{ value: { contactId: number }[] }>().value.map((r) => r.contactId)).toEqual([
      3, 4,
    ]);
  });

  it('exits 3 with one line for a 404, and 2 for anything but GET', async () => {
    const missing = await cli(['raw', 'GET', '/v1/Contact/999'], env());
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^so-connector: \[superoffice-client\] GET .* failed: HTTP 404/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const post = await cli(['raw', 'DELETE', '/v1/Contact/2'], env());
    expect(post.code).toBe(2);
    expect(sim.state.get('contact', 2)).toBeDefined();
  });
});

describe('create-test-company', () => {
  it('creates a Contact through the API', async () => {
    const run = await cli(['create-test-company', '--name', 'CLI Test AS', '--json'], env());
    expect(run.code).toBe(0);
    const { contactId } = run.json<{ contactId: number }>();
    expect(sim.state.get('contact', contactId)).toMatchObject({
      Name: 'CLI Test AS',
      UpdatedBy: { AssociateId: 42 },
    });
  });
});

describe('webhooks', () => {
  it('registers with a new secret, printed once, that signs the registration ping', async () => {
    const run = await cli(['webhooks', 'register', '--url', receiver.url], env());
    expect(run.code).toBe(0);
    const secret = /^WEBHOOK_SECRET=(\S+)$/m.exec(run.stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [hook] = sim.webhooks();
    expect(hook).toMatchObject({
      Name: 'so-connector',
      TargetUrl: receiver.url,
      Secret: secret,
      Events: [...CONNECTOR_WEBHOOK_EVENTS],
      State: 'Active',
    });
    const ping = receiver.received.find((d) => d.event === 'test');
    expect(signedWith(ping!.body, ping!.signature, secret!)).toBe(true);
    // Two registrations never share a secret.
    const again = await cli(['webhooks', 'register', '--url', receiver.url, '--json'], env());
    expect(again.json().secret).not.toBe(secret);
    expect(again.stderr).toContain('already posts to this URL');
  });

  it('refuses a plain http URL that is not local', async () => {
    const run = await cli(['webhooks', 'register', '--url', 'http://so.example.com/hook'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/only to https/);
    expect(sim.webhooks()).toHaveLength(0);
  });

  it('explains a refused registration ping and prints no secret', async () => {
    receiver.secrets = ['the-receivers-secret'];
    const run = await cli(['webhooks', 'register', '--url', receiver.url], env());
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/SuperOffice refused the webhook: .*--secret-from-config/);
    expect(sim.webhooks()).toHaveLength(0);
  });

  it('registers with the configured secret when the receiver verifies signatures', async () => {
    receiver.secrets = ['the-receivers-secret'];
    const run = await cli(
      [
        'webhooks',
        'register',
        '--url',
        receiver.url,
        '--secret-from-config',
        '--events',
        'contact.changed',
      ],
      env({ WEBHOOK_SECRET: 'the-receivers-secret,older-secret' }),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('the-receivers-secret');
    expect(sim.webhooks()[0]).toMatchObject({
      Secret: 'the-receivers-secret',
      Events: ['contact.changed'],
    });
  });

  it('lists, reactivates after TooManyErrors, and deletes', async () => {
    await cli(['webhooks', 'register', '--url', receiver.url], env());
    await forceTooManyErrors(sim, receiver, 1);

    const listed = await cli(
      ['webhooks', 'list', '--json'],
      env({ WEBHOOK_PUBLIC_URL: receiver.url }),
    );
    expect(listed.json().webhooks).toEqual([
      expect.objectContaining({
        id: 1,
        state: 'TooManyErrors',
        connector: true,
        lastError: expect.stringContaining('HTTP 500'),
      }),
    ]);
    expect(listed.stdout).not.toContain('"Secret"');

    const reactivated = await cli(['webhooks', 'reactivate', '1'], env());
    expect(reactivated.code).toBe(0);
    expect(reactivated.stdout).toMatch(/^webhook 1: TooManyErrors → Active$/m);
    expect(sim.webhooks()[0]?.State).toBe('Active');

    const deleted = await cli(['webhooks', 'delete', '1'], env());
    expect(deleted.code).toBe(0);
    expect(sim.webhooks()).toHaveLength(0);
    const again = await cli(['webhooks', 'delete', '1'], env());
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/HTTP 404/);
  });
});

describe('enrich', () => {
  it('enqueues a contact enrichment now, under the shared deduplication id', async () => {
    const enrich = queue(createEnrichQueue);
    const run = await cli(['enrich', '2', '--json'], env());
    expect(run.code).toBe(0);
    const { jobId, state } = run.json<{ jobId: string; state: string }>();
    expect(state).toBe('waiting');
    expect(await enrich.getDeduplicationJobId(enrichDedupId('Cust12345', 'contact', 2))).toBe(
      jobId,
    );
    const job = await enrich.getJob(jobId);
    expect(job).toMatchObject({
      name: 'enrich-contact',
      data: { tenant: 'Cust12345', entity: 'contact', recordId: 2 },
    });
    expect(job!.data.lastEventId).toMatch(/^cli:/);
  });

  it('takes a person with --person and needs no SuperOffice credentials', async () => {
    const enrich = queue(createEnrichQueue);
    const run = await cli(['enrich', '--person', '11'], {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testPrefix,
      SO_CONTEXT_IDENTIFIER: 'Cust12345',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^person 11: job \S+ \(enrich-person\) is waiting in so-enrich/);
    expect(
      await enrich.getDeduplicationJobId(enrichDedupId('Cust12345', 'person', 11)),
    ).toBeTruthy();
  });

  it('joins a pending debounced enrichment of the same record instead of adding another', async () => {
    const enrich = queue(createEnrichQueue);
    await cli(['enrich', '2'], env());
    await cli(['enrich', '2'], env());
    expect(await enrich.getJobCounts('waiting', 'delayed')).toMatchObject({
      waiting: 1,
      delayed: 0,
    });
  });

  it('exits 2 without exactly one record', async () => {
    expect((await cli(['enrich'], env())).code).toBe(2);
    expect((await cli(['enrich', '2', '--person', '11'], env())).code).toBe(2);
    expect((await cli(['enrich', 'abc'], env())).code).toBe(2);
  });
});

describe('failed', () => {
  async function failOne(q: Queue, name: string, reason: string) {
    const workerConnection = connection.duplicate();
    const worker = new Worker(
      q.name,
      () => {
        throw new Error(reason);
      },
      { connection: workerConnection, prefix: testPrefix },
    );
    const job = await q.add(name, { tenant: 'Cust12345' }, { attempts: 1 });
    await waitFor(async () => (await job.getState()) === 'failed', { what: `${name} to fail` });
    await worker.close();
    await workerConnection.quit();
    return job.id!;
  }

  it('lists failed jobs of every queue and retries one', async () => {
    const events = queue(createEventsQueue);
    const maintenance = queue(createMaintenanceQueue);
    const eventJob = await failOne(events, 'contact.changed', 'boom in events');
    const maintJob = await failOne(maintenance, 'reconcile', 'boom in maintenance');

    const listed = await cli(['failed', 'list', '--json'], env());
    expect(listed.code).toBe(0);
    expect(listed.json().failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          queue: QUEUE_NAMES.events,
          id: eventJob,
          name: 'contact.changed',
          attempts: 1,
          failedReason: 'boom in events',
        }),
        expect.objectContaining({
          queue: QUEUE_NAMES.maintenance,
          id: maintJob,
          failedReason: 'boom in maintenance',
        }),
      ]),
    );
    const text = await cli(['failed', 'list', '--queue', 'so-events'], env());
    expect(text.stdout).toMatch(/^QUEUE +JOB +NAME +ATTEMPTS +FAILED AT +REASON$/m);
    expect(text.stdout).toContain('boom in events');
    expect(text.stdout).not.toContain('boom in maintenance');

    // Job ids are per queue: the same id in two queues needs --queue.
    expect(eventJob).toBe(maintJob);
    const ambiguous = await cli(['failed', 'retry', eventJob], env());
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/exists in so-events and so-maintenance: add --queue/);

    const retried = await cli(['failed', 'retry', eventJob, '--queue', 'so-events'], env());
    expect(retried.code).toBe(0);
    expect(await (await events.getJob(eventJob))!.getState()).toBe('waiting');
    expect(await (await maintenance.getJob(maintJob))!.getState()).toBe('failed');

    const notFailed = await cli(['failed', 'retry', eventJob, '--queue', 'so-events'], env());
    expect(notFailed.code).toBe(1);
    expect(notFailed.stderr).toMatch(/is waiting, not failed/);

    // A partition the queue does not have is a usage error, not an empty list.
    const noPartition = await cli(['failed', 'list', '--queue', 'p1.so-maintenance'], env());
    expect(noPartition.code).toBe(2);
    expect(noPartition.stderr).toMatch(/so-maintenance has 1 partition \(QUEUE_PARTITIONS\)/);
    const partitioned = { ...env(), QUEUE_PARTITIONS: '2' };
    const beyond = await cli(['failed', 'retry', '--all', '--queue', 'p2.so-enrich'], partitioned);
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toMatch(/so-enrich has 2 partitions .*so-enrich, p1\.so-enrich/);
    expect((await cli(['failed', 'list', '--queue', 'p1.so-enrich'], partitioned)).code).toBe(0);
  });

  it('retries every failed job with --all', async () => {
    const events = queue(createEventsQueue);
    const enrich = queue(createEnrichQueue);
    await failOne(events, 'contact.changed', 'one');
    await failOne(enrich, 'enrich-contact', 'two');
    const run = await cli(['failed', 'retry', '--all', '--json'], env());
    expect(run.json().retried).toHaveLength(2);
    expect(await events.getJobCounts('failed', 'waiting')).toMatchObject({ failed: 0, waiting: 1 });
    expect(await enrich.getJobCounts('failed', 'waiting')).toMatchObject({ failed: 0, waiting: 1 });
    expect((await cli(['failed', 'retry'], env())).code).toBe(2);
  });
});
