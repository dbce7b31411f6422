import { partitionOf, partitionPrefix } from './partitions';
import { prefixOfTenant, tenantKeyPrefix, tenantOfKey, TENANT_KEY_KINDS } from './tenant-keys';

describe('tenantKeyPrefix', () => {
  it('is QUEUE_PREFIX for every tenant with one partition: keys as before partitions', () => {
    const of = tenantKeyPrefix('{so}', 1);
    expect(['Cust1001', 'Cust1002', 'Cust12345'].map(of)).toEqual(['{so}', '{so}', '{so}']);
  });

  it("is the tenant's partition prefix, the slot of its jobs, with several", () => {
    const of = tenantKeyPrefix('{so}', 8);
    for (const tenant of ['Cust1001', 'Cust1002', 'Cust1003', 'Cust1004', 'Cust1005', 'Cust1006'])
      expect(of(tenant)).toBe(partitionPrefix('{so}', partitionOf(tenant, 8)));
    // Cust1001…Cust1006 are in partitions 0, 1, 6, 7, 4 and 5 of 8 (partitions.e2e.test.ts).
    expect(of('Cust1001')).toBe('{so}');
    expect(of('Cust1002')).toBe('{so-p1}');
    expect(tenantKeyPrefix('so', 8)('Cust1003')).toBe('so-p6');
  });

  it('a store prefix option is either one prefix or one per tenant', () => {
    expect(prefixOfTenant('so', 'Cust1002')).toBe('so');
    expect(prefixOfTenant(tenantKeyPrefix('so', 8), 'Cust1002')).toBe('so-p1');
  });
});

describe('tenantOfKey', () => {
  it.each(TENANT_KEY_KINDS.map((kind) => [kind]))('reads the tenant of a %s key', (kind) => {
    expect(tenantOfKey('{so-p1}', `{so-p1}:${kind}:Cust1002:x:1`)).toBe('Cust1002');
  });

  it.each([
    ['{so}:runs:Cust1001:accounts', 'Cust1001'],
    ['{so}:webhook-health:Cust1001', 'Cust1001'],
    ['{so}:reconcile:Cust1001:cursor', 'Cust1001'],
    ['{so}:pause:{Cust1001}:superoffice', 'Cust1001'],
    ['{so}:provider-result:Cust1001:contact:ab12', 'Cust1001'],
  ])('%s belongs to %s', (key, tenant) => {
    expect(tenantOfKey('{so}', key)).toBe(tenant);
  });

  it.each([
    // Queues, the registry, marks of every tenant, the recorded count: not a tenant's own.
    '{so}:so-events:0f9c2a4e-1111-2222-3333-444455556666',
    '{so}:so-enrich:meta',
    '{so}:tenants',
    '{so}:tenants:reconsent',
    '{so}:tenants:last-event',
    '{so}:queue-partitions',
    '{so}:queue-partitions:leases',
    '{so}:tenant-keys:partitions',
    '{so}:pause:provider-credential:9f86d081',
    '{so}:oauth-state:ab',
    // Another prefix's key, and a kind without a tenant.
    '{so-p1}:runs:Cust1002:accounts',
    '{so}:runs:',
    '{so}:seen',
  ])('%s is nobody’s', (key) => {
    expect(tenantOfKey('{so}', key)).toBeUndefined();
  });
});
