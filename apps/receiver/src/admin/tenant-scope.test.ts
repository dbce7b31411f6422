import { fixedTenants, registryTenants, resolveScope, type AdminTenants } from './tenant-scope';

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
