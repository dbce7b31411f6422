import { aTenant } from '../test/builders';
import { diffTenants, mergeSources, type TenantSourceName } from './merge';
import type { TenantConfig } from './tenant-config';

const tenant = (contextIdentifier: string, refreshToken = 'rt'): TenantConfig =>
  aTenant(contextIdentifier, { credentials: { kind: 'refresh-token', refreshToken } });

const sources = (entries: [TenantSourceName, TenantConfig[]][]) =>
  new Map(
    entries.map(([name, list]) => [name, new Map(list.map((t) => [t.contextIdentifier, t]))]),
  );

describe('mergeSources', () => {
  it('takes the environment over the file over the store for the same tenant, and says so', () => {
    const env = tenant('Cust1', 'from-env');
    const merged = mergeSources(
      sources([
        ['store', [tenant('Cust1', 'from-store'), tenant('Cust2', 'from-store'), tenant('Cust3')]],
        ['file', [tenant('Cust1', 'from-file'), tenant('Cust2', 'from-file')]],
        ['environment', [env]],
      ]),
    );
    expect(merged.get('Cust1')).toEqual({
      tenant: env,
      source: 'environment',
      shadows: ['file', 'store'],
    });
    expect(merged.get('Cust2')).toMatchObject({
      tenant: { credentials: { refreshToken: 'from-file' } },
      source: 'file',
      shadows: ['store'],
    });
    expect(merged.get('Cust3')).toMatchObject({ source: 'store', shadows: [] });
  });
});

describe('diffTenants', () => {
  it('names added, changed and removed tenants; an equal copy is no change', () => {
    const before = mergeSources(sources([['file', [tenant('A'), tenant('B'), tenant('C')]]]));
    const after = mergeSources(
      sources([['file', [{ ...tenant('A') }, tenant('B', 'rotated'), tenant('D')]]]),
    );
    expect(diffTenants(before, after)).toEqual({ added: ['D'], changed: ['B'], removed: ['C'] });
    expect(diffTenants(after, after)).toEqual({ added: [], changed: [], removed: [] });
  });

  it('counts a tenant that falls back to a lower source with other settings as changed', () => {
    const before = mergeSources(
      sources([
        ['file', [tenant('A', 'file')]],
        ['store', [tenant('A', 'store')]],
      ]),
    );
    const after = mergeSources(sources([['store', [tenant('A', 'store')]]]));
    expect(diffTenants(before, after)).toEqual({ added: [], changed: ['A'], removed: [] });
  });
});
