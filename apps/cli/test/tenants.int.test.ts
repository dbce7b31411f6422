import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './cli-harness';
import { fileTenant, useTenantsFixture } from './tenants-fixture';

// tenants list, show, add, remove and rotate-secret (the CLI's side of the tenant registry).
const f = useTenantsFixture();
const { env, store, tenantsFile, addSimTenant } = f;

describe('tenants list and show', () => {
  it('shows every source with its precedence, never a secret', async () => {
    const file = tenantsFile([fileTenant('Cust12345'), fileTenant('Cust2')]);
    const e = env({ TENANTS_FILE: file, WEBHOOK_SECRET: 'env-webhook-secret' });
    expect((await addSimTenant('Cust3', e)).code).toBe(0);

    const json = await cli(['tenants', 'list', '--json'], e);
    expect(json.code).toBe(0);
    const view = json.json<{ tenants: Record<string, unknown>[]; problems: unknown[] }>();
    expect(view.tenants.map((t) => [t.contextIdentifier, t.source, t.shadows])).toEqual([
      ['Cust12345', 'environment', ['file']],
      ['Cust2', 'file', []],
      ['Cust3', 'store', []],
    ]);
    expect(view.problems).toEqual([]);
    const text = await cli(['tenants', 'list'], e);
    expect(text.stdout).toMatch(/^TENANT\s+SOURCE\s+SHADOWS/);
    expect(text.stdout).toMatch(/^Cust2\s+file\s+online\s+refresh-token\s+1 secret\s+builtin/m);
    for (const secret of [
      'env-webhook-secret',
      f.sim().client.refreshToken,
      'file-secret-Cust2',
      'file-refresh-Cust2',
    ]) {
      expect(json.stdout).not.toContain(secret);
      expect(text.stdout).not.toContain(secret);
    }

    const shown = await cli(['tenants', 'show', 'Cust3'], e);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^source +the tenant store in Redis/m);
    expect(shown.stdout).toMatch(/^owner scope +12, JD$/m);
    expect(shown.stdout).not.toContain(f.sim().client.refreshToken);
    const shownJson = (await cli(['tenants', 'show', 'Cust3', '--json'], e)).json();
    expect(shownJson.tenant.credentials).toEqual({
      kind: 'refresh-token',
      refreshToken: '[REDACTED]',
    });
    const unknown = await cli(['tenants', 'show', 'Cust404'], e);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('tenant Cust404 is not served by this deployment');
  });

  it('names a broken TENANTS_FILE in one line (exit 78), without its values', async () => {
    const file = tenantsFile([{ ...fileTenant('Cust2'), refresh_token: 'leaky-value' }]);
    const run = await cli(['tenants', 'list'], env({ TENANTS_FILE: file }));
    expect(run.code).toBe(78);
    expect(run.stderr.trim()).toBe(
      `so-connector: [tenants] invalid TENANTS_FILE ${file}: tenant Cust2, key refresh_token: is not a known key`,
    );
  });
});

describe('tenants add', () => {
  it('stores the tenant encrypted, prints a generated webhook secret once', async () => {
    const run = await addSimTenant('Cust3', env());
    expect(run.code).toBe(0);
    const { secret, tenant } = run.json<{ secret: string; tenant: Record<string, unknown> }>();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tenant).toMatchObject({ contextIdentifier: 'Cust3', source: 'store' });
    expect(run.stdout.split(secret)).toHaveLength(2);
    expect(run.stdout).not.toContain(f.sim().client.refreshToken);

    const stored = (await store().load()).tenants;
    expect(stored.map((t) => [t.contextIdentifier, t.webhookSecrets])).toEqual([
      ['Cust3', [secret]],
    ]);
    expect(stored[0]!.credentials).toEqual({
      kind: 'refresh-token',
      refreshToken: f.sim().client.refreshToken,
    });
    const raw = JSON.stringify(await f.connection().hgetall(store().key));
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(f.sim().client.refreshToken);

    const again = await addSimTenant('Cust3', env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('tenant Cust3 is already stored; --replace overwrites it');
  });

  it('takes one TENANTS_FILE entry as a YAML file, checked by the same schema', async () => {
    const good = join(f.dir(), `${f.prefix()}-good.yaml`);
    writeFileSync(
      good,
      'contextIdentifier: Cust8\nwebhookSecrets: [given-secret]\nrefreshToken: env:CUST8_TOKEN\nudf: { summary: "SuperOffice:84" }\n',
    );
    const run = await cli(['tenants', 'add', '--file', good], env({ CUST8_TOKEN: 'rt-8' }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('stored tenant Cust8');
    expect(run.stdout).not.toContain('given-secret');
    expect((await store().load()).tenants[0]).toMatchObject({
      webhookSecrets: ['given-secret'],
      credentials: { kind: 'refresh-token', refreshToken: 'rt-8' },
      udf: { summary: 'SuperOffice:84' },
    });

    const bad = join(f.dir(), `${f.prefix()}-bad.yaml`);
    writeFileSync(bad, 'contextIdentifier: Cust9\nrefresh_token: leaky\nudf: {}\n');
    const refused = await cli(['tenants', 'add', '--file', bad], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(
      `[tenants] invalid tenant (${bad}): tenant Cust9, key refresh_token: is not a known key`,
    );
    expect(refused.stderr).not.toContain('leaky');

    const both = await cli(['tenants', 'add', '--file', good, '--context', 'Cust8'], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either as --file or as flags, not both (also given: --context)');
  });

  it('refuses without TENANT_SECRETS_KEY, and a tenant the environment or the file defines', async () => {
    const { TENANT_SECRETS_KEY: _k, ...noKey } = env();
    const run = await addSimTenant('Cust3', noKey);
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('TENANT_SECRETS_KEY is not set');

    const file = tenantsFile([fileTenant('Cust2')]);
    const shadowed = await addSimTenant('Cust2', env({ TENANTS_FILE: file }));
    expect(shadowed.code).toBe(1);
    expect(shadowed.stderr).toContain(`tenant Cust2 is defined in TENANTS_FILE ${file}`);
  });
});

describe('tenants remove and rotate-secret', () => {
  it('refuses tenants of the environment and TENANTS_FILE, saying where they are defined', async () => {
    const file = tenantsFile([fileTenant('Cust2')]);
    const e = env({ TENANTS_FILE: file });
    for (const command of ['remove', 'rotate-secret']) {
      const fromEnv = await cli(['tenants', command, 'Cust12345'], e);
      expect(fromEnv.code).toBe(1);
      expect(fromEnv.stderr).toContain(
        'tenant Cust12345 is defined by the environment (SO_CONTEXT_IDENTIFIER',
      );
      const fromFile = await cli(['tenants', command, 'Cust2'], e);
      expect(fromFile.code).toBe(1);
      expect(fromFile.stderr).toContain(
        `tenant Cust2 is defined in TENANTS_FILE ${file}: edit that file instead`,
      );
    }
  });

  it('rotates: new and old secret both verify, the new one printed once; --finish drops the old', async () => {
    const { secret: first } = (await addSimTenant('Cust3', env())).json<{ secret: string }>();
    const rotated = await cli(['tenants', 'rotate-secret', 'Cust3'], env());
    expect(rotated.code).toBe(0);
    const fresh = /^New secret, shown only now: (\S+)$/m.exec(rotated.stdout)?.[1];
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.stdout.split(fresh!)).toHaveLength(2);
    expect(rotated.stdout).not.toContain(first);
    expect(rotated.stdout).toContain('--tenant Cust3 webhooks register --url');
    expect((await store().load()).tenants[0]!.webhookSecrets).toEqual([fresh, first]);

    const finished = await cli(['tenants', 'rotate-secret', 'Cust3', '--finish', '--json'], env());
    expect(finished.json()).toEqual({ tenant: 'Cust3', secrets: 1 });
    expect((await store().load()).tenants[0]!.webhookSecrets).toEqual([fresh]);
    const nothing = await cli(['tenants', 'rotate-secret', 'Cust3', '--finish'], env());
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('no rotation to finish');
  });

  it('removes a stored tenant', async () => {
    await addSimTenant('Cust3', env());
    const run = await cli(['tenants', 'remove', 'Cust3', '--json'], env());
    expect(run.json()).toEqual({ removed: 'Cust3' });
    expect((await store().load()).tenants).toEqual([]);
    expect((await cli(['tenants', 'remove', 'Cust3'], env())).code).toBe(1);
  });
});
