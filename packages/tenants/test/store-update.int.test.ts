import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { StoredTenantError, TenantStore } from '../src';
import { aTenant } from './builders';

// Real Redis: two connections, so one write can land inside the other's WATCH/MULTI.
let redis: TestRedis;
let mine: Redis;
let theirs: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  mine = new Redis(redis.url);
  theirs = new Redis(redis.url);
});
afterAll(async () => {
  mine.disconnect();
  theirs.disconnect();
  await redis.cleanup();
});

const secretsKey = randomBytes(32);
let n = 0;
function stores() {
  const prefix = `${redis.prefix}-update-${++n}`;
  return [
    new TenantStore({ redis: mine, prefix, secretsKey }),
    new TenantStore({ redis: theirs, prefix, secretsKey }),
  ] as const;
}

describe('TenantStore.update', () => {
  it('changes the stored tenant and counts the change', async () => {
    const [store] = stores();
    await store.put(aTenant('Cust1'));
    const before = await store.version();
    const written = await store.update('Cust1', (t) => ({ ...t, webhookSecrets: ['new', 'old'] }));
    expect(written?.webhookSecrets).toEqual(['new', 'old']);
    expect((await store.load()).tenants[0]!.webhookSecrets).toEqual(['new', 'old']);
    expect(await store.version()).toBe(before + 1);
  });

  it('reads again when another write lands in between, so no change is lost', async () => {
    const [store, other] = stores();
    await store.put(aTenant('Cust1'));
    let calls = 0;
    const written = await store.update('Cust1', async (t) => {
      calls += 1;
      // Another process changes the tenant while this one decides: the first attempt must fail.
      if (calls === 1) await other.put({ ...t, ownerScope: ['JD'] });
      return { ...t, webhookSecrets: ['rotated', ...t.webhookSecrets] };
    });
    expect(calls).toBe(2);
    expect(written).toMatchObject({
      ownerScope: ['JD'],
      webhookSecrets: ['rotated', 'whsec-Cust1'],
    });
    expect((await store.load()).tenants[0]).toMatchObject({
      ownerScope: ['JD'],
      webhookSecrets: ['rotated', 'whsec-Cust1'],
    });
  });

  it('gives undefined for a tenant not stored, and refuses a rename', async () => {
    const [store] = stores();
    expect(await store.update('Cust404', (t) => t)).toBeUndefined();
    await store.put(aTenant('Cust1'));
    await expect(
      store.update('Cust1', (t) => ({ ...t, contextIdentifier: 'Cust2' })),
    ).rejects.toThrow(StoredTenantError);
    // The connection is usable (not left watching) after the refusal.
    await store.put(aTenant('Cust3'));
    expect((await store.load()).tenants.map((t) => t.contextIdentifier)).toEqual([
      'Cust1',
      'Cust3',
    ]);
  });
});
