import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { StoredTenantError, TenantStore } from '../src';
import { aTenant } from './builders';

// Real Redis: two connections, and one shared, so one write can land inside another's update.
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

  it('holds when the other write shares its connection (a WATCH would have been cleared)', async () => {
    const [store] = stores();
    const sameConnection = new TenantStore({
      redis: mine,
      prefix: store.key.slice(0, -':tenants'.length),
      secretsKey,
    });
    await store.put(aTenant('Cust1'));
    let calls = 0;
    await store.update('Cust1', async (t) => {
      calls += 1;
      if (calls === 1) await sameConnection.put({ ...t, ownerScope: ['JD'] });
      return { ...t, webhookSecrets: ['rotated'] };
    });
    expect(calls).toBe(2);
    expect(await store.get('Cust1')).toMatchObject({
      ownerScope: ['JD'],
      webhookSecrets: ['rotated'],
    });
  });

  it('gives undefined when the tenant is removed while it is changed', async () => {
    const [store, other] = stores();
    await store.put(aTenant('Cust1'));
    const written = await store.update('Cust1', async (t) => {
      await other.remove('Cust1');
      return { ...t, ownerScope: ['JD'] };
    });
    expect(written).toBeUndefined();
    expect(await store.get('Cust1')).toBeUndefined();
  });

  it('gives undefined for a tenant not stored, and refuses a rename', async () => {
    const [store] = stores();
    expect(await store.update('Cust404', (t) => t)).toBeUndefined();
    await store.put(aTenant('Cust1'));
    await expect(
      store.update('Cust1', (t) => ({ ...t, contextIdentifier: 'Cust2' })),
    ).rejects.toThrow(StoredTenantError);
    await store.put(aTenant('Cust3'));
    expect((await store.load()).tenants.map((t) => t.contextIdentifier)).toEqual([
      'Cust1',
      'Cust3',
    ]);
  });
});
