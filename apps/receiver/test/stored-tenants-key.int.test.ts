import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { TenantStore } from '@so-connector/tenants';
import { aTenant } from '@so-connector/tenants/testing';
import { aWebhookEvent, useTestRedis, type TestRedis } from '@so-connector/testing';
import { REDIS_TIMEOUT_MS } from '../src/start-receiver';
import { signedDelivery, startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

// Issue 12: the worker refuses to start while the store holds onboarded tenants and
// TENANT_SECRETS_KEY is not set (apps/worker/test/tenant-sources.int.test.ts); a receiver that
// skipped the store would answer those tenants' webhooks 401, so it refuses too, with the same
// line. A receiver must still start while Redis cannot answer (it spools).
let redis: TestRedis;
let connection: Redis;
let spoolDir: string;
let sut: ReceiverUnderTest | undefined;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url);
});
beforeEach(() => {
  spoolDir = mkdtempSync(join(tmpdir(), 'so-stored-key-'));
});
afterEach(async () => {
  await sut?.close();
  sut = undefined;
  rmSync(spoolDir, { recursive: true, force: true });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

/** A store with one onboarded tenant, written under a key the receiver is not given. */
async function storeWithTenant(prefix: string): Promise<TenantStore> {
  const store = new TenantStore({ redis: connection, prefix, secretsKey: randomBytes(32) });
  await store.put(aTenant('CustOnboarded'));
  return store;
}

function deliver(url: string) {
  const delivery = signedDelivery(aWebhookEvent());
  return supertest(url).post('/webhooks/superoffice').set(delivery.headers).send(delivery.text);
}

describe('receiver without TENANT_SECRETS_KEY', () => {
  it('refuses to start while the store holds tenants, with the line naming TENANT_SECRETS_KEY', async () => {
    const prefix = `${redis.prefix}-held`;
    const store = await storeWithTenant(prefix);
    const refused = await startReceiverForTest({
      redisUrl: redis.url,
      prefix,
      env: { SPOOL_DIR: spoolDir },
    }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      `[tenants] TENANT_SECRETS_KEY is not set: 1 onboarded tenant(s) are stored encrypted in Redis (${store.key}); set the key they were stored with`,
    );
  });

  it('starts and serves its tenants when the store holds none (only its change counter)', async () => {
    const prefix = `${redis.prefix}-emptied`;
    const store = await storeWithTenant(prefix);
    await store.remove('CustOnboarded');
    expect(await connection.hkeys(store.key)).toEqual([':version']);
    sut = await startReceiverForTest({ redisUrl: redis.url, prefix, env: { SPOOL_DIR: spoolDir } });
    const res = await deliver(sut.url);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted' });
    expect(sut.logLines.join('\n')).not.toContain('TENANT_SECRETS_KEY');
  });

  it('starts within the bound, and says so, when Redis accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      sut = await startReceiverForTest({
        redisUrl: `redis://127.0.0.1:${port}`,
        prefix: `${redis.prefix}-silent`,
        env: { SPOOL_DIR: spoolDir },
      });
      // Without the bound, start-up would wait for this Redis for ever (jest's timeout).
      const warned = sut.logLines.filter((line) =>
        line.includes('the store of onboarded tenants could not be checked'),
      );
      expect(warned).toHaveLength(1);
      expect(warned[0]).toContain('TENANT_SECRETS_KEY is not set');
      expect(warned[0]).toContain(`"problem":"Redis did not answer within ${REDIS_TIMEOUT_MS} ms"`);
      const res = await deliver(sut.url);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'spooled' });
    } finally {
      await sut?.close();
      sut = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
