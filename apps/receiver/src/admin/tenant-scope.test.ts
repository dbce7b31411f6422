import {
  fixedTenants,
  registryTenants,
  resolveScope,
  tenantsFor,
  type AdminTenants,
} from './tenant-scope';

const several: AdminTenants = {
  list: () => ['Cust1', 'Cust2'],
  defaultTenant: () => undefined,
};

describe('resolveScope', () => {
  it('shows the default tenant under /admin, with the one-tenant URLs', () => {
    expect(resolveScope(fixedTenants(['Cust1', 'Cust2']), undefined)).toEqual({
      kind: 'tenant',
      scope: { tenant: 'Cust1', base: '/admin' },
    });
  });

  it('shows another tenant under /admin/t/{ctx}, matching the id without regard to case', () => {
    expect(resolveScope(fixedTenants(['Cust1', 'Cust2']), 'cust2')).toEqual({
      kind: 'tenant',
      scope: { tenant: 'Cust2', base: '/admin/t/Cust2' },
    });
  });

  it('keeps the default tenant at /admin when it is asked for by its path', () => {
    expect(resolveScope(fixedTenants(['Cust1']), 'Cust1')).toEqual({
      kind: 'tenant',
      scope: { tenant: 'Cust1', base: '/admin' },
    });
  });

  it('asks to choose when there is no default tenant, and refuses an unknown one', () => {
    expect(resolveScope(several, undefined)).toEqual({ kind: 'choose' });
    expect(resolveScope(several, 'Cust3')).toEqual({ kind: 'unknown' });
    expect(resolveScope(fixedTenants([]), undefined)).toEqual({ kind: 'choose' });
  });
});

describe('registryTenants', () => {
  const registry = (ids: string[]) => ({
    list: () => ids.map((contextIdentifier) => ({ contextIdentifier })),
  });

  it("defaults to the environment's tenant while the registry serves it, else to the only one", () => {
    expect(registryTenants(registry(['Cust1', 'Cust2']), 'Cust2').defaultTenant()).toBe('Cust2');
    expect(registryTenants(registry(['Cust1', 'Cust2']), 'Cust9').defaultTenant()).toBeUndefined();
    expect(registryTenants(registry(['Cust1']), undefined).defaultTenant()).toBe('Cust1');
    expect(registryTenants(registry(['Cust1', 'Cust2']), undefined).list()).toEqual([
      'Cust1',
      'Cust2',
    ]);
  });
});

describe('tenantsFor', () => {
  const all = fixedTenants(['Cust1', 'Cust2', 'Cust3'], {
    Cust2: { superofficeCallsPerMinute: 5, providerCallsPerHour: undefined },
  });

  it('gives the operator every tenant, unrestricted', () => {
    expect(tenantsFor(all, { kind: 'operator', user: 'ops' })).toBe(all);
  });

  it("gives a tenant admin only its tenants (any case), its own default, and no other's scope", () => {
    const anna = tenantsFor(all, { kind: 'tenant', user: 'anna', tenants: ['cust2'] });
    expect(anna.list()).toEqual(['Cust2']);
    expect(anna.defaultTenant()).toBe('Cust2');
    expect(anna.restricted).toBe(true);
    expect(anna.budget?.('Cust2')).toEqual({
      superofficeCallsPerMinute: 5,
      providerCallsPerHour: undefined,
    });
    expect(resolveScope(anna, undefined)).toEqual({
      kind: 'tenant',
      scope: { tenant: 'Cust2', base: '/admin', restricted: true },
    });
    expect(resolveScope(anna, 'Cust1')).toEqual({ kind: 'unknown' });
    expect(resolveScope(anna, 'Cust9')).toEqual({ kind: 'unknown' });
  });

  it("keeps the deployment's default for an admin who has it, else asks to choose", () => {
    const both = tenantsFor(all, { kind: 'tenant', user: 'bob', tenants: ['Cust1', 'Cust3'] });
    expect(both.defaultTenant()).toBe('Cust1');
    const others = tenantsFor(all, { kind: 'tenant', user: 'carl', tenants: ['Cust2', 'Cust3'] });
    expect(others.defaultTenant()).toBeUndefined();
    expect(resolveScope(others, undefined)).toEqual({ kind: 'choose' });
    const gone = tenantsFor(all, { kind: 'tenant', user: 'dora', tenants: ['Cust7'] });
    expect(gone.list()).toEqual([]);
    expect(resolveScope(gone, undefined)).toEqual({ kind: 'choose' });
  });
});
