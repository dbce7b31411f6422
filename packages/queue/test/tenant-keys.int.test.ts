import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  alignTenantKeys,
  closeRedis,
  moveTenantKeys,
  partitionLeasesKey,
  partitionOf,
  partitionPrefix,
  readTenantKeyLayout,
  TENANT_KEY_LAYOUT_LEASE_MARK,
  tenantKeyLayoutKey,
  tenantKeyMoveLockKey,
  tenantKeyPrefix,
} from '../src';
import { globEscape, scanKeyPages, scanKeys } from '../src/scan-keys';

let redis: TestRedis;
let connection: Redis;
beforeEach(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await closeRedis(connection);
  await redis.cleanup();
});

const TENANTS = ['Cust1001', 'Cust1002', 'Cust1003', 'Cust1004', 'Cust1005', 'Cust1006'];

/** One key of each kind per tenant, laid out for `partitions`; returns key → value (suffix). */
async function writeTenantKeys(prefix: string, partitions: number): Promise<string[]> {
  const suffixes: string[] = [];
  for (const tenant of TENANTS) {
    const at = tenantKeyPrefix(prefix, partitions)(tenant);
    const own = [
      `:runs:${tenant}:accounts`,
      `:seen:${tenant}:contact:2`,
      `:enriched:${tenant}:contact:2`,
      `:provider-result:${tenant}:contact:ab12`,
      `:webhook-health:${tenant}`,
      `:pause:{${tenant}}:superoffice`,
    ];
    await connection.zadd(`${at}${own[0]}`, 1, 'account-2');
    for (const suffix of own.slice(1)) await connection.set(`${at}${suffix}`, `${tenant}${suffix}`);
    // Seen markers and pauses expire: the move keeps the time to live.
    await connection.pexpire(`${at}${own[1]}`, 600_000);
    suffixes.push(...own);
  }
  return suffixes;
}

async function expectLaidOutFor(prefix: string, partitions: number, suffixes: string[]) {
  for (const suffix of suffixes) {
    const tenant = /(Cust\d+)/.exec(suffix)![1]!;
    const at = partitionPrefix(prefix, partitionOf(tenant, partitions));
    expect({ key: `${at}${suffix}`, exists: await connection.exists(`${at}${suffix}`) }).toEqual({
      key: `${at}${suffix}`,
      exists: 1,
    });
    for (let p = 0; p < Math.max(partitions, 8); p++) {
      const other = partitionPrefix(prefix, p);
      if (other !== at) expect(await connection.exists(`${other}${suffix}`)).toBe(0);
    }
  }
}

describe('moveTenantKeys', () => {
  it("moves every tenant's own keys into its partition and back, keeping values and TTLs, and nothing else", async () => {
    const { prefix } = redis;
    const suffixes = await writeTenantKeys(prefix, 1);
    // Not a tenant's own: queue keys, the registry, the recorded count, a credential's pause.
    const shared = [
      `${prefix}:so-events:meta`,
      `${prefix}:tenants`,
      `${prefix}:queue-partitions`,
      `${prefix}:pause:provider-credential:9f86`,
    ];
    for (const key of shared) await connection.set(key, 'shared');
    expect(await readTenantKeyLayout(connection, prefix)).toBe(1);

    const first = await moveTenantKeys(connection, prefix, 1, 8);
    // Cust1001 is in partition 0 either way: the five others' six keys each moved.
    expect(first.moved).toBe(5 * 6);
    await expectLaidOutFor(prefix, 8, suffixes);
    for (const key of shared) expect(await connection.get(key)).toBe('shared');
    const seen = `${partitionPrefix(prefix, partitionOf('Cust1003', 8))}:seen:Cust1003:contact:2`;
    expect(await connection.pttl(seen)).toBeGreaterThan(590_000);
    expect(
      await connection.get(`${tenantKeyPrefix(prefix, 8)('Cust1004')}:enriched:Cust1004:contact:2`),
    ).toBe('Cust1004:enriched:Cust1004:contact:2');
    expect(
      await connection.zrange(
        `${tenantKeyPrefix(prefix, 8)('Cust1002')}:runs:Cust1002:accounts`,
        0,
        -1,
      ),
    ).toEqual(['account-2']);
    expect(await connection.get(tenantKeyLayoutKey(prefix))).toBe('8');

    await moveTenantKeys(connection, prefix, 8, 4);
    await expectLaidOutFor(prefix, 4, suffixes);
    expect(await readTenantKeyLayout(connection, prefix)).toBe(4);

    await moveTenantKeys(connection, prefix, 4, 1);
    await expectLaidOutFor(prefix, 1, suffixes);
    // Back to one partition: no layout key, as before partitions.
    expect(await connection.exists(tenantKeyLayoutKey(prefix))).toBe(0);
  });

  it('moves more keys than one SCAN page holds, page by page, leaving none behind', async () => {
    const { prefix } = redis;
    const perTenant = 1000;
    for (const tenant of TENANTS) {
      const pipeline = connection.pipeline();
      for (let id = 0; id < perTenant; id++)
        pipeline.set(`${prefix}:seen:${tenant}:contact:${id}`, '1', 'PX', 600_000);
      await pipeline.exec();
    }
    // Proof that the scan comes in pages here, not in one answer.
    let pages = 0;
    for await (const page of scanKeyPages(connection, `${globEscape(prefix)}:*`)) {
      pages++;
      expect(page.length).toBeLessThan(TENANTS.length * perTenant);
    }
    expect(pages).toBeGreaterThan(2);

    // Moves start before the scan ends: the keys are never all held at once.
    const calls: string[] = [];
    const scan = connection.scan.bind(connection);
    const restore = connection.restore.bind(connection);
    jest.spyOn(connection, 'scan').mockImplementation((...args: Parameters<typeof scan>) => {
      calls.push('scan');
      return scan(...args);
    });
    jest.spyOn(connection, 'restore').mockImplementation((...args: Parameters<typeof restore>) => {
      calls.push('restore');
      return restore(...args);
    });
    const { moved } = await moveTenantKeys(connection, prefix, 1, 8);
    jest.restoreAllMocks();
    expect(calls.indexOf('restore')).toBeGreaterThan(-1);
    expect(calls.indexOf('restore')).toBeLessThan(calls.lastIndexOf('scan'));
    // Cust1001 stays in partition 0; SCAN may yield a key twice, moved once all the same.
    expect(moved).toBe(5 * perTenant);
    for (const tenant of TENANTS) {
      const at = tenantKeyPrefix(prefix, 8)(tenant);
      const left = await scanKeys(connection, `${globEscape(at)}:seen:${tenant}:*`);
      expect({ tenant, keys: left.length }).toEqual({ tenant, keys: perTenant });
    }
    expect(await scanKeys(connection, `${globEscape(prefix)}:seen:*`)).toHaveLength(perTenant);
  });

  it('keeps a key already written at the new place (newer) and drops the old one', async () => {
    const { prefix } = redis;
    const target = `${tenantKeyPrefix(prefix, 8)('Cust1002')}:enriched:Cust1002:contact:2`;
    await connection.set(`${prefix}:enriched:Cust1002:contact:2`, 'old');
    await connection.set(target, 'new');
    await moveTenantKeys(connection, prefix, 1, 8);
    expect(await connection.get(target)).toBe('new');
    expect(await connection.exists(`${prefix}:enriched:Cust1002:contact:2`)).toBe(0);
  });
});

describe('alignTenantKeys', () => {
  const lease = (id: string) => ({ id: `${id}${TENANT_KEY_LAYOUT_LEASE_MARK}`, ttlMs: 30_000 });
  const liveLease = async (prefix: string, member: string) => {
    const [seconds] = await connection.time();
    await connection.zadd(partitionLeasesKey(prefix), (Number(seconds) + 60) * 1000, member);
  };

  it('does nothing when the layout is the configured count (one partition: no key at all)', async () => {
    const { prefix } = redis;
    await connection.set(`${prefix}:seen:Cust1002:contact:2`, 'x');
    expect(await alignTenantKeys({ connection, prefix, partitions: 1, lease: lease('a') })).toEqual(
      {
        kind: 'aligned',
      },
    );
    expect(await connection.get(`${prefix}:seen:Cust1002:contact:2`)).toBe('x');
  });

  it('refuses while a worker of an earlier version (a lease without the mark) runs', async () => {
    const { prefix } = redis;
    await writeTenantKeys(prefix, 1);
    await liveLease(prefix, '8:old-host:1:abcd');
    await liveLease(prefix, `8:a${TENANT_KEY_LAYOUT_LEASE_MARK}`);
    const answer = await alignTenantKeys({ connection, prefix, partitions: 8, lease: lease('a') });
    expect(answer).toEqual({
      kind: 'refuse',
      message: expect.stringMatching(
        /^QUEUE_PARTITIONS is 8 .* 1 worker\(s\) of an earlier version still run/,
      ) as string,
    });
    expect(await readTenantKeyLayout(connection, prefix)).toBe(1);
    expect(await connection.exists(`${prefix}:seen:Cust1002:contact:2`)).toBe(1);
  });

  it('two workers starting together: one moves the keys, the other waits for it', async () => {
    const { prefix } = redis;
    const suffixes = await writeTenantKeys(prefix, 1);
    await liveLease(prefix, `8:a${TENANT_KEY_LAYOUT_LEASE_MARK}`);
    await liveLease(prefix, `8:b${TENANT_KEY_LAYOUT_LEASE_MARK}`);
    const answers = await Promise.all(
      ['a', 'b'].map((id) =>
        alignTenantKeys({ connection, prefix, partitions: 8, lease: lease(id), pollMs: 20 }),
      ),
    );
    expect(answers.map((a) => a.kind).sort()).toEqual(['moved', 'waited']);
    await expectLaidOutFor(prefix, 8, suffixes);
    expect(await connection.exists(tenantKeyMoveLockKey(prefix))).toBe(0);
  });

  it('gives up waiting for a move that does not end, naming QUEUE_PARTITIONS', async () => {
    const { prefix } = redis;
    await connection.set(tenantKeyMoveLockKey(prefix), 'someone else', 'PX', 60_000);
    const answer = await alignTenantKeys({
      connection,
      prefix,
      partitions: 8,
      lease: lease('a'),
      waitMs: 100,
      pollMs: 20,
    });
    expect(answer).toEqual({
      kind: 'refuse',
      message: expect.stringMatching(
        /^QUEUE_PARTITIONS is 8: another worker has been moving/,
      ) as string,
    });
  });
});
