import { CONNECTOR_WEBHOOK_EVENTS } from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { startRedisServer, type RedisServer } from '@so-connector/testing';
import {
  cli,
  envFor,
  forceTooManyErrors,
  startTestReceiver,
  type TestReceiver,
} from './cli-harness';

// Real: a redis-server with AOF and noeviction (DESIGN.md's requirements), the simulator over
// HTTP, a stand-in receiver that answers SuperOffice's deliveries. Nothing is stubbed.
const SECRET = 'doctor-test-webhook-secret';
let redis: RedisServer;
let sim: RunningSimulator;
let receiver: TestReceiver;
let prefix = 'doctor-0';

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: 'everysec' });
});
afterAll(async () => {
  await redis.dispose();
});
beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.001 });
  receiver = await startTestReceiver();
  prefix = `doctor-${Date.now()}`;
  expect(
    await sim.registerWebhook({
      targetUrl: receiver.url,
      secret: SECRET,
      events: CONNECTOR_WEBHOOK_EVENTS,
    }),
  ).toBe(200);
});
afterEach(async () => {
  await sim.stop();
  await receiver.close();
});

const env = (extra: Record<string, string> = {}) =>
  envFor(
    sim,
    { url: redis.url, prefix },
    {
      WEBHOOK_PUBLIC_URL: receiver.url,
      WEBHOOK_SECRET: `${SECRET},previous-secret`,
      ...extra,
    },
  );

interface Check {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

async function doctorJson(extra: Record<string, string> = {}) {
  const run = await cli(['doctor', '--json'], env(extra));
  const checks = run.json<{ ok: boolean; checks: Check[] }>().checks;
  return { run, checks, byName: (name: string) => checks.filter((c) => c.check === name) };
}

describe('doctor', () => {
  it('passes every check on a well-configured tenant', async () => {
    const { run, checks } = await doctorJson();
    expect(checks.filter((c) => c.status !== 'PASS')).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual([
      'config',
      'redis',
      'redis-version',
      'redis-eviction',
      'redis-aof',
      'superoffice-api',
      'superoffice-token',
      'api-user',
      'contact-schema',
      'person-schema',
      'udf-layout',
      'udf SO_UDF_VERTICAL',
      'udf SO_UDF_SUMMARY',
      'udf SO_UDF_OPENER',
      'udf SO_UDF_PERSON_OPENER',
      'vertical-list',
      'webhook 1',
      'webhook 1 secret',
      'provider',
    ]);
    expect(checks.find((c) => c.check === 'vertical-list')?.detail).toMatch(
      /^list udlist1: 8 items \(Manufacturing, Software & IT/,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('prints one PASS/WARN/FAIL line per check in text mode', async () => {
    const run = await cli(['doctor'], env({ SO_UDF_OPENER: '' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASS {2}config +every variable is valid$/m);
    expect(run.stdout).toMatch(/^SKIP {2}udf SO_UDF_OPENER +not set/m);
    expect(run.stdout).toMatch(/^\d+ passed, 0 warnings, 0 failed, 1 skipped$/m);
  });

  it('fails on a UDF key that is not in the published layout, naming the fix', async () => {
    const { run, byName } = await doctorJson({ SO_UDF_SUMMARY: 'SuperOffice:99' });
    expect(byName('udf SO_UDF_SUMMARY')).toEqual([
      {
        check: 'udf SO_UDF_SUMMARY',
        status: 'FAIL',
        detail: 'SuperOffice:99 is not in the published Contact UDF layout',
        fix: expect.stringContaining('so-connector discover'),
      },
    ]);
    expect(byName('udf SO_UDF_VERTICAL')[0]?.status).toBe('PASS');
    expect(run.code).toBe(1);
  });

  it('fails on a UDF of the wrong type (a list where text is needed)', async () => {
    const { run, byName } = await doctorJson({ SO_UDF_OPENER: 'SuperOffice:83' });
    expect(byName('udf SO_UDF_OPENER')[0]).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/is a list field; expected text/),
    });
    expect(run.code).toBe(1);
  });

  it('fails a Vertical list the API cannot read, naming list, layout ids, call and fix, and passes once readable (issue 11 §5)', async () => {
    for (const refusal of [404, 403] as const) {
      sim.setListReadable('udlist1', refusal);
      const { run, byName } = await doctorJson();
      expect(byName('vertical-list')[0]).toMatchObject({
        status: 'FAIL',
        detail: `list udlist1 of SuperOffice:83 cannot be read: GET /v1/MDOList/udlist1?flat=true answered HTTP ${refusal} (layout: MdoListName udlist1, ListTableId 136, UDListDefinitionId 1); enrichment writes the other fields but not the vertical`,
        fix: expect.stringContaining('user-defined lists are read as udlist{listId}'),
      });
      expect(byName('udf SO_UDF_VERTICAL')[0]?.status).toBe('PASS');
      expect(run.code).toBe(1);
    }
    sim.setListReadable('udlist1', true);
    const { run, byName } = await doctorJson();
    expect(byName('vertical-list')[0]).toMatchObject({ status: 'PASS' });
    expect(run.code).toBe(0);
  });

  it('fails when the webhook signs with a secret the receiver does not have', async () => {
    const { run, byName } = await doctorJson({ WEBHOOK_SECRET: 'not-the-registered-secret' });
    expect(byName('webhook 1 secret')[0]).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('not in WEBHOOK_SECRET'),
    });
    expect(byName('webhook 1')[0]?.status).toBe('PASS');
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(SECRET);
  });

  it('fails when the webhook is parked in TooManyErrors, with the last error and the fix', async () => {
    await forceTooManyErrors(sim, receiver, 1);
    const { run, byName } = await doctorJson();
    expect(byName('webhook 1')[0]).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(
        /state is TooManyErrors.*last error: contact\.changed .*HTTP 500/,
      ),
      fix: expect.stringContaining('so-connector webhooks reactivate 1'),
    });
    expect(run.code).toBe(1);
  });

  it('fails when no webhook points at WEBHOOK_PUBLIC_URL', async () => {
    const { run, byName } = await doctorJson({
      WEBHOOK_PUBLIC_URL: 'https://elsewhere.example.com/webhooks/superoffice',
    });
    expect(byName('webhook')[0]).toMatchObject({
      status: 'FAIL',
      fix: 'so-connector webhooks register --url https://elsewhere.example.com/webhooks/superoffice',
    });
    expect(run.code).toBe(1);
  });

  it('reports every bad variable at once and still checks Redis', async () => {
    const { run, checks } = await doctorJson({
      SO_ENVIRONMENT: 'mars',
      SO_REFRESH_TOKEN: '',
      ENRICHMENT_PROVIDER: 'openai',
      WORKER_CONCURRENCY: 'lots',
    });
    expect(checks.filter((c) => c.check === 'config').map((c) => c.detail.split(' ')[0])).toEqual([
      'SO_ENVIRONMENT',
      'SO_REFRESH_TOKEN',
      'OPENAI_BASE_URL',
      'OPENAI_API_KEY',
      'WORKER_CONCURRENCY',
    ]);
    expect(checks.find((c) => c.check === 'redis')?.status).toBe('PASS');
    expect(checks.find((c) => c.check === 'superoffice')?.status).toBe('SKIP');
    expect(run.code).toBe(1);
  });

  it('fails on a refused refresh token without printing it', async () => {
    const { run, byName } = await doctorJson({ SO_REFRESH_TOKEN: 'revoked-refresh-token' });
    expect(byName('superoffice-token')[0]).toMatchObject({ status: 'FAIL' });
    expect(run.stdout).not.toContain('revoked-refresh-token');
    expect(run.code).toBe(1);
  });
});

describe('doctor on a Redis without AOF', () => {
  it('fails the AOF check and names the fix', async () => {
    const plain = await startRedisServer();
    try {
      const run = await cli(
        ['doctor', '--json'],
        envFor(
          sim,
          { url: plain.url, prefix },
          {
            WEBHOOK_PUBLIC_URL: receiver.url,
            WEBHOOK_SECRET: SECRET,
          },
        ),
      );
      const checks = run.json<{ checks: Check[] }>().checks;
      expect(checks.find((c) => c.check === 'redis-aof')).toMatchObject({
        status: 'FAIL',
        fix: expect.stringContaining('appendonly yes'),
      });
      expect(checks.find((c) => c.check === 'redis-eviction')?.status).toBe('PASS');
      expect(run.code).toBe(1);
    } finally {
      await plain.dispose();
    }
  });
});
