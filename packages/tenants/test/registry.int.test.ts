import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import {
  TenantRegistry,
  TenantStore,
  type TenantChange,
  type TenantConfig,
  type TenantProblem,
} from '../src';
import { aTenant } from './builders';

// DESIGN.md / issue 12: a tenant is known to every process within 5 s of being added or changed.
const WITHIN = { timeoutMs: 5000 };

let redis: TestRedis;
let dir: string;
const open: { close(): Promise<void> }[] = [];
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await useTestRedis();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'so-tenants-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  connections.splice(0).forEach((c) => c.disconnect());
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await redis.cleanup();
});

function connection(): Redis {
  const c = new Redis(redis.url);
  connections.push(c);
  return c;
}

async function registry(...args: Parameters<typeof TenantRegistry.create>) {
  const sut = await TenantRegistry.create(...args);
  open.push(sut);
  const changes: TenantChange[] = [];
  const problems: TenantProblem[] = [];
  sut.on('change', (c) => changes.push(c));
  sut.on('problem', (p) => problems.push(p));
  return { sut, changes, problems };
}

function fileTenant(ctx: string, refreshToken: string): string {
  return `  - contextIdentifier: ${ctx}
    webhookSecrets: ["whsec-${ctx}"]
    refreshToken: "${refreshToken}"
    udf: { vertical: "SuperOffice:83" }
`;
}
const tenantsYaml = (...tenants: string[]) => `tenants:\n${tenants.join('')}`;

const onboarded = (ctx: string, refreshToken: string): TenantConfig =>
  aTenant(ctx, { credentials: { kind: 'refresh-token', refreshToken } });

const refreshTokenOf = (tenant: TenantConfig | undefined) =>
  tenant?.credentials?.kind === 'refresh-token' ? tenant.credentials.refreshToken : undefined;

/** Each tenant served: its id as spelled, its refresh token and the source it comes from. */
const served = (registry: TenantRegistry) =>
  registry
    .list()
    .map((t) => [t.contextIdentifier, refreshTokenOf(t), registry.sourceOf(t.contextIdentifier)]);

describe('TenantRegistry with the Redis store (two processes, two connections)', () => {
  it('every registry sees an onboarded tenant added, changed and removed within 5 s', async () => {
    const prefix = `${redis.prefix}-store`;
    const key = randomBytes(32);
    const writer = new TenantStore({ redis: connection(), prefix, secretsKey: key });
    const a = await registry({
      store: { store: new TenantStore({ redis: connection(), prefix, secretsKey: key }) },
    });
    const b = await registry({
      store: { store: new TenantStore({ redis: connection(), prefix, secretsKey: key }) },
    });
    expect(a.sut.list()).toEqual([]);

    await writer.put(onboarded('Cust1', 'rt-first'));
    for (const { sut } of [a, b]) {
      await waitFor(() => refreshTokenOf(sut.get('Cust1')) === 'rt-first', {
        ...WITHIN,
        what: 'Cust1 added',
      });
    }
    await writer.put(onboarded('Cust1', 'rt-second'));
    for (const { sut } of [a, b]) {
      await waitFor(() => refreshTokenOf(sut.get('Cust1')) === 'rt-second', {
        ...WITHIN,
        what: 'Cust1 changed',
      });
    }
    await writer.remove('Cust1');
    for (const { sut } of [a, b]) {
      await waitFor(() => sut.get('Cust1') === undefined, { ...WITHIN, what: 'Cust1 removed' });
    }
    for (const { changes, problems } of [a, b]) {
      expect(changes).toEqual([
        { added: ['Cust1'], changed: [], removed: [] },
        { added: [], changed: ['Cust1'], removed: [] },
        { added: [], changed: [], removed: ['Cust1'] },
      ]);
      expect(problems).toEqual([]);
    }
  });
  it('keeps the last good set while a stored record is damaged, and reports it once', async () => {
    const prefix = `${redis.prefix}-damaged`;
    const key = randomBytes(32);
    const writer = new TenantStore({ redis: connection(), prefix, secretsKey: key });
    await writer.put(onboarded('Cust1', 'rt-1'));
    const { sut, problems, changes } = await registry({
      store: { store: new TenantStore({ redis: connection(), prefix, secretsKey: key }) },
    });

    const raw = connection();
    await raw.multi().hset(writer.key, 'Cust2', '{"v":1').hincrby(writer.key, ':version', 1).exec();
    await waitFor(() => problems.length === 1, { ...WITHIN, what: 'the problem report' });
    expect(problems[0]).toMatchObject({
      source: 'store',
      message: '[tenants] onboarded tenant Cust2: not JSON',
    });
    expect(refreshTokenOf(sut.get('Cust1'))).toBe('rt-1');

    await writer.put(onboarded('Cust2', 'rt-2'));
    await waitFor(() => sut.get('Cust2'), { ...WITHIN, what: 'the repaired record' });
    expect(sut.problems()).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(changes).toEqual([{ added: ['Cust2'], changed: [], removed: [] }]);
  });
});

describe('TenantRegistry with TENANTS_FILE', () => {
  it('picks up an edit and an editor-style replace (fs.watch) within 5 s', async () => {
    const path = join(dir, 'tenants.yaml');
    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1')));
    // A poll far beyond the 5 s: only the watch can be what sees the changes.
    const { sut, changes } = await registry({ file: { path, env: {}, pollIntervalMs: 600_000 } });
    expect(sut.list().map((t) => t.contextIdentifier)).toEqual(['Cust1']);

    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1'), fileTenant('Cust2', 'rt-2')));
    await waitFor(() => sut.get('Cust2'), { ...WITHIN, what: 'Cust2 from an in-place write' });

    writeFileSync(join(dir, '.tenants.yaml.swp'), tenantsYaml(fileTenant('Cust2', 'rt-2b')));
    renameSync(join(dir, '.tenants.yaml.swp'), path);
    await waitFor(() => refreshTokenOf(sut.get('Cust2')) === 'rt-2b', {
      ...WITHIN,
      what: 'a replaced file',
    });
    expect(sut.get('Cust1')).toBeUndefined();
    expect(changes).toEqual([
      { added: ['Cust2'], changed: [], removed: [] },
      { added: [], changed: ['Cust2'], removed: ['Cust1'] },
    ]);
  });

  it('picks up a change fs.watch cannot see (a ConfigMap-style symlink swap) by polling, within 5 s', async () => {
    mkdirSync(join(dir, 'v1'));
    mkdirSync(join(dir, 'v2'));
    writeFileSync(join(dir, 'v1', 'tenants.yaml'), tenantsYaml(fileTenant('Cust1', 'rt-1')));
    writeFileSync(join(dir, 'v2', 'tenants.yaml'), tenantsYaml(fileTenant('Cust1', 'rt-v2')));
    const data = join(dir, 'data');
    symlinkSync(join(dir, 'v1'), data);
    const watched = join(dir, 'mounted');
    mkdirSync(watched);
    const path = join(watched, 'tenants.yaml');
    symlinkSync(join(data, 'tenants.yaml'), path);
    const { sut } = await registry({ file: { path, env: {} } });
    expect(refreshTokenOf(sut.get('Cust1'))).toBe('rt-1');

    // The file's own directory sees no event: the link `data` outside it is swapped.
    symlinkSync(join(dir, 'v2'), join(dir, 'data.new'));
    renameSync(join(dir, 'data.new'), data);
    await waitFor(() => refreshTokenOf(sut.get('Cust1')) === 'rt-v2', {
      ...WITHIN,
      what: 'the poll',
    });
  });

  it('keeps serving the last good set while the file is broken or missing, and reports it once', async () => {
    const path = join(dir, 'tenants.yaml');
    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1')));
    const { sut, problems, changes } = await registry({
      file: { path, env: { RT2: 'rt-from-env' }, pollIntervalMs: 200 },
    });

    writeFileSync(
      path,
      tenantsYaml(
        fileTenant('Cust1', 'rt-1'),
        `  - contextIdentifier: Cust2\n    refreshToken: "env:RT2"\n    udf: { vertical: "x" }\n`,
      ),
    );
    await waitFor(() => problems.length === 1, { ...WITHIN, what: 'the problem report' });
    expect(problems[0]).toMatchObject({
      source: 'file',
      message: `[tenants] invalid TENANTS_FILE ${path}: tenant Cust2, key webhookSecrets: is required unless webhookToken is set`,
    });
    expect(sut.list().map((t) => t.contextIdentifier)).toEqual(['Cust1']);
    expect(sut.problems().map((p) => p.source)).toEqual(['file']);

    unlinkSync(path);
    await waitFor(() => problems.length === 2, { ...WITHIN, what: 'the missing file report' });
    expect(problems[1]!.message).toBe(
      `[tenants] invalid TENANTS_FILE ${path}: cannot read it (ENOENT)`,
    );
    expect(sut.get('Cust1')).toBeDefined();

    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1'), fileTenant('Cust2', 'env:RT2')));
    await waitFor(() => sut.get('Cust2'), { ...WITHIN, what: 'the repaired file' });
    expect(refreshTokenOf(sut.get('Cust2'))).toBe('rt-from-env');
    expect(sut.problems()).toEqual([]);
    expect(changes).toEqual([{ added: ['Cust2'], changed: [], removed: [] }]);
    // Several polls of the same broken text were reported once each, not once per poll.
    expect(problems).toHaveLength(2);
  });

  it('finds a tenant in any letter case, and follows changes', async () => {
    const path = join(dir, 'tenants.yaml');
    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1'), fileTenant('CUST2', 'rt-2a')));
    const { sut, problems } = await registry({ file: { path, env: {}, pollIntervalMs: 200 } });
    expect(sut.find('cust1')?.contextIdentifier).toBe('Cust1');
    expect(sut.find('CUST1')?.contextIdentifier).toBe('Cust1');
    expect(sut.get('cust1')).toBeUndefined();
    expect(sut.find('Cust3')).toBeUndefined();

    // Two spellings of one id would send a delivery to whichever sorts first: the file is
    // refused, naming both entries, and the last good set keeps serving.
    writeFileSync(path, tenantsYaml(fileTenant('cust2', 'rt-2b'), fileTenant('CUST2', 'rt-2a')));
    await waitFor(() => problems.length === 1, { ...WITHIN, what: 'the problem report' });
    expect(problems[0]!.message).toBe(
      `[tenants] invalid TENANTS_FILE ${path}: tenant CUST2, key contextIdentifier: duplicates tenants[0] (cust2) in another letter case; tenant ids are case-insensitive`,
    );
    expect(sut.list().map((t) => t.contextIdentifier)).toEqual(['Cust1', 'CUST2']);

    // One spelling again (another than before): every spelling finds it.
    writeFileSync(path, tenantsYaml(fileTenant('cust2', 'rt-2b')));
    await waitFor(() => sut.find('Cust1') === undefined, { ...WITHIN, what: 'Cust1 removed' });
    for (const spelling of ['cust2', 'CUST2', 'Cust2']) {
      expect(refreshTokenOf(sut.find(spelling))).toBe('rt-2b');
    }
    expect(sut.list().map((t) => t.contextIdentifier)).toEqual(['cust2']);
  });

  it('refuses to start with an invalid or missing file', async () => {
    const path = join(dir, 'tenants.yaml');
    await expect(TenantRegistry.create({ file: { path, env: {} } })).rejects.toThrow(
      `[tenants] invalid TENANTS_FILE ${path}: cannot read it (ENOENT)`,
    );
    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-1'), fileTenant('Cust1', 'rt-1')));
    await expect(TenantRegistry.create({ file: { path, env: {} } })).rejects.toThrow(
      `[tenants] invalid TENANTS_FILE ${path}: tenant Cust1, key contextIdentifier: duplicates tenants[0]`,
    );
  });
});

describe('TenantRegistry with all three sources', () => {
  it('applies the precedence environment > file > store, and shows no secret', async () => {
    const prefix = `${redis.prefix}-all`;
    const store = new TenantStore({ redis: connection(), prefix, secretsKey: randomBytes(32) });
    await store.put(onboarded('Cust1', 'rt-store-1'));
    await store.put(onboarded('Cust2', 'rt-store-2'));
    await store.put(onboarded('Cust3', 'rt-store-3'));
    const path = join(dir, 'tenants.json');
    writeFileSync(
      path,
      tenantsYaml(fileTenant('Cust1', 'rt-file-1'), fileTenant('Cust2', 'rt-file-2')),
    );
    const { sut, changes } = await registry({
      environment: onboarded('Cust1', 'rt-env-1'),
      file: { path, env: {} },
      store: { store },
    });
    expect(served(sut)).toEqual([
      ['Cust1', 'rt-env-1', 'environment'],
      ['Cust2', 'rt-file-2', 'file'],
      ['Cust3', 'rt-store-3', 'store'],
    ]);

    // The file stops defining Cust2: the stored (onboarded) one takes over.
    writeFileSync(path, tenantsYaml(fileTenant('Cust1', 'rt-file-1')));
    await waitFor(() => sut.sourceOf('Cust2') === 'store', WITHIN);
    expect(refreshTokenOf(sut.get('Cust2'))).toBe('rt-store-2');
    expect(changes).toEqual([{ added: [], changed: ['Cust2'], removed: [] }]);

    const shown = [
      JSON.stringify(sut),
      String(sut),
      inspect(sut, { depth: 10 }),
      JSON.stringify(sut.list()),
    ];
    for (const text of shown) expect(text).not.toMatch(/rt-(env|file|store)|whsec-/);
    expect(JSON.parse(JSON.stringify(sut)).tenants[0]).toMatchObject({
      contextIdentifier: 'Cust1',
      source: 'environment',
      shadows: ['file', 'store'],
      credentials: { kind: 'refresh-token', refreshToken: '[REDACTED]' },
    });
  });

  it('applies the precedence to an id spelled differently in each source', async () => {
    const prefix = `${redis.prefix}-case`;
    const store = new TenantStore({ redis: connection(), prefix, secretsKey: randomBytes(32) });
    await store.put(onboarded('CUST1', 'rt-store-1'));
    await store.put(onboarded('cust2', 'rt-store-2'));
    const path = join(dir, 'tenants.yaml');
    writeFileSync(path, tenantsYaml(fileTenant('Cust2', 'rt-file-2')));
    const { sut, changes } = await registry({
      environment: onboarded('Cust1', 'rt-env-1'),
      file: { path, env: {} },
      store: { store },
    });
    // One tenant per id, spelled as the winning source spells it; every spelling finds it.
    expect(served(sut)).toEqual([
      ['Cust1', 'rt-env-1', 'environment'],
      ['Cust2', 'rt-file-2', 'file'],
    ]);
    for (const spelling of ['cust1', 'CUST1']) {
      expect(refreshTokenOf(sut.find(spelling))).toBe('rt-env-1');
    }
    for (const spelling of ['cust2', 'CUST2']) {
      expect(refreshTokenOf(sut.find(spelling))).toBe('rt-file-2');
    }
    expect(sut.get('CUST1')).toBeUndefined();
    expect(
      (JSON.parse(JSON.stringify(sut)) as { tenants: { shadows: string[] }[] }).tenants.map(
        (t) => t.shadows,
      ),
    ).toEqual([['store'], ['store']]);

    // The file stops defining Cust2: the onboarded `cust2` takes over, in its own spelling.
    writeFileSync(path, 'tenants: []\n');
    await waitFor(() => sut.sourceOf('cust2') === 'store', WITHIN);
    expect(refreshTokenOf(sut.find('Cust2'))).toBe('rt-store-2');
    expect(changes).toEqual([{ added: ['cust2'], changed: [], removed: ['Cust2'] }]);
  });
});
