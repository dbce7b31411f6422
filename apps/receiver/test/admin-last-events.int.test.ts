import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { TenantRegistry } from '@so-connector/tenants';
import { aWebhookEvent, useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { lastEventKey, LastEventRecorder, readLastEvents } from '../src/admin/last-events';
import supertest from 'supertest';
import { signedDelivery, startReceiverForTest } from './receiver-harness';
import { fileTenant, registryWithFile, secretOf, writeTenantsFile } from './tenants-harness';

let redis: TestRedis;
let connection: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

const at = (iso: string) => Date.parse(iso);

describe('LastEventRecorder', () => {
  it('keeps the newest time per tenant, also against an older event written later', async () => {
    const prefix = `${redis.prefix}-newest`;
    const sut = new LastEventRecorder(connection, prefix, 60_000);
    sut.note('CustA', at('2026-11-30T10:00:05.000Z'));
    sut.note('CustA', at('2026-11-30T10:00:01.000Z'));
    sut.note('CustB', at('2026-11-30T09:00:00.000Z'));
    await sut.flush();
    // A spooled event drained later is older than what is stored: it does not win.
    sut.note('CustA', at('2026-11-30T09:59:00.000Z'));
    sut.note('CustB', at('2026-11-30T09:30:00.000Z'));
    await sut.close();
    const read = await readLastEvents(connection, prefix, ['CustA', 'CustB', 'CustC']);
    expect(Object.fromEntries(read)).toEqual({
      CustA: '2026-11-30T10:00:05.000Z',
      CustB: '2026-11-30T09:30:00.000Z',
    });
  });

  it('keeps what it noted when Redis refuses the write, and writes it at the next flush', async () => {
    const prefix = `${redis.prefix}-retry`;
    const offline = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const sut = new LastEventRecorder(offline, prefix, 60_000);
    try {
      sut.note('CustA', at('2026-11-30T10:00:00.000Z'));
      await expect(sut.flush()).rejects.toThrow();
      // (The refused command itself starts the lazy connection.)
      await waitFor(() => offline.status === 'ready', { what: 'the connection' });
      await sut.flush();
      expect(Object.fromEntries(await readLastEvents(connection, prefix, ['CustA']))).toEqual({
        CustA: '2026-11-30T10:00:00.000Z',
      });
    } finally {
      await sut.close();
      offline.disconnect();
    }
  });
});

describe('LastEventRecorder following the registry', () => {
  let dir: string;
  let registry: TenantRegistry | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'so-last-events-'));
  });
  afterEach(async () => {
    await registry?.close();
    registry = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const fields = (prefix: string) => connection.hgetall(lastEventKey(prefix));

  it("deletes a removed tenant's field, and does not write the time it noted just before", async () => {
    const prefix = `${redis.prefix}-removed`;
    const file = join(dir, 'tenants.yaml');
    writeTenantsFile(file, fileTenant('CustA'), fileTenant('CustB'));
    registry = await registryWithFile(file);
    const sut = new LastEventRecorder(connection, prefix, 60_000, registry);
    try {
      sut.note('CustA', at('2026-11-30T10:00:00.000Z'));
      sut.note('CustB', at('2026-11-30T10:00:00.000Z'));
      await sut.flush();
      expect(Object.keys(await fields(prefix)).sort()).toEqual(['CustA', 'CustB']);

      sut.note('CustB', at('2026-11-30T10:00:09.000Z')); // still pending when B goes
      writeTenantsFile(file, fileTenant('CustA'));
      await waitFor(async () => (await fields(prefix)).CustB === undefined, {
        timeoutMs: 5000,
        what: "CustB's field to be deleted",
      });
      await sut.flush();
      expect(await fields(prefix)).toEqual({ CustA: String(at('2026-11-30T10:00:00.000Z')) });

      // Back in the file: no stale time from before its removal.
      writeTenantsFile(file, fileTenant('CustA'), fileTenant('CustB'));
      await waitFor(() => registry!.get('CustB') !== undefined, { what: 'CustB back' });
      expect([...(await readLastEvents(connection, prefix, ['CustA', 'CustB'])).keys()]).toEqual([
        'CustA',
      ]);
    } finally {
      await sut.close();
    }
  });

  it('prunes at start the fields of tenants removed while no receiver ran', async () => {
    const prefix = `${redis.prefix}-prune`;
    await connection.hset(lastEventKey(prefix), { CustA: '1', CustGone: '2', CustGone2: '3' });
    const file = join(dir, 'tenants.yaml');
    writeTenantsFile(file, fileTenant('CustA'));
    registry = await registryWithFile(file);
    const sut = new LastEventRecorder(connection, prefix, 60_000, registry);
    await sut.pruned;
    await sut.close();
    expect(await fields(prefix)).toEqual({ CustA: '1' });
  });
});

describe('the receiver and its last events', () => {
  it("drops a tenant's last event when the tenant is removed from TENANTS_FILE", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-last-events-receiver-'));
    const file = join(dir, 'tenants.yaml');
    writeTenantsFile(file, fileTenant('CustFile'));
    const prefix = `${redis.prefix}-receiver`;
    const sut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix,
      env: { TENANTS_FILE: file },
    });
    try {
      const delivery = signedDelivery(
        aWebhookEvent({ ContextIdentifier: 'CustFile' }),
        secretOf('CustFile'),
      );
      const answer = await supertest(sut.url)
        .post('/webhooks/superoffice/CustFile')
        .set(delivery.headers)
        .send(delivery.text);
      expect(answer.status).toBe(200);
      const field = () => connection.hget(lastEventKey(prefix), 'CustFile');
      await waitFor(async () => (await field()) !== null, { what: 'the last event written' });
      writeTenantsFile(file);
      await waitFor(async () => (await field()) === null, {
        timeoutMs: 5000,
        what: "the removed tenant's last event to be deleted",
      });
    } finally {
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
