import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { createEnrichQueue } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { loadSeed, startSimulator } from '@so-connector/superoffice-simulator';
import { cli } from './cli-harness';
import { fileTenant, useTenantsFixture } from './tenants-fixture';

// --tenant: every command acts with the chosen tenant's own settings.
const f = useTenantsFixture();
const { env, tenantsFile, addSimTenant } = f;

describe('--tenant', () => {
  it("acts with the chosen tenant's own settings, not the environment's tenant", async () => {
    // The environment's own tenant cannot sign in: only the chosen tenant's credentials work.
    const e = env({ SO_REFRESH_TOKEN: 'revoked-refresh-token' });
    await addSimTenant('Cust3', e);
    expect((await cli(['whoami'], e)).code).toBe(3);
    const who = await cli(['--tenant', 'Cust3', 'whoami', '--json'], e);
    expect(who.code).toBe(0);
    expect(who.json()).toMatchObject({ tenant: 'Cust3', associateId: 42 });

    const enrich = await cli(['--tenant', 'Cust3', 'enrich', '--contact', '5', '--json'], e);
    expect(enrich.json()).toMatchObject({ deduplicationId: 'Cust3:contact:5' });
    const queue = createEnrichQueue(f.connection(), f.prefix());
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    await queue.close();
    expect(jobs.map((j) => (j.data as { tenant: string }).tenant)).toEqual(['Cust3']);

    const doctor = await cli(['--tenant', 'Cust3', 'doctor', '--json'], e);
    const checks = doctor.json<{ checks: { check: string; status: string; detail: string }[] }>()
      .checks;
    expect(checks).toContainEqual({
      check: 'tenant',
      status: 'PASS',
      detail: 'Cust3 from the tenant store',
    });
    expect(checks.find((c) => c.check === 'superoffice-token')?.status).toBe('PASS');

    const unknown = await cli(['--tenant', 'Cust404', 'whoami'], e);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--tenant Cust404: this deployment serves no such tenant');
  });

  it('defaults to the only tenant when the environment names none, and asks when there are more', async () => {
    const { SO_CONTEXT_IDENTIFIER: _ctx, ...e } = env({
      TENANTS_FILE: tenantsFile([fileTenant('Cust2')]),
    });
    const only = await cli(['enrich', '--contact', '5', '--json'], e);
    expect(only.code).toBe(0);
    expect(only.json()).toMatchObject({ deduplicationId: 'Cust2:contact:5' });

    await addSimTenant('Cust3', e);
    const two = await cli(['enrich', '--contact', '5'], e);
    expect(two.code).toBe(78);
    expect(two.stderr.trim()).toBe(
      'so-connector: invalid configuration: SO_CONTEXT_IDENTIFIER is not set and 2 tenants are registered: choose one with --tenant <contextIdentifier>',
    );
  });

  it('signs in as a system-user tenant with the app key, and names SO_APP_PRIVATE_KEY_FILE without it', async () => {
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = join(f.dir(), `${f.prefix()}-app.pem`);
    writeFileSync(keyFile, app.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const systemSim = await startSimulator({
      retryScale: 0.001,
      seed: { ...loadSeed(), contextIdentifier: 'Cust4' },
      systemUser: { appPublicKey: app.publicKey, systemUserToken: 'SoConnector-4.sys' },
    });
    try {
      const e = env();
      const file = join(f.dir(), `${f.prefix()}-system.yaml`);
      writeFileSync(
        file,
        [
          'contextIdentifier: Cust4',
          'systemUserToken: env:SYS',
          `apiBaseUrl: ${systemSim.apiBaseUrl()}`,
          `tokenUrl: ${systemSim.tokenUrl}`,
          'udf: { vertical: "SuperOffice:83" }',
          '',
        ].join('\n'),
      );
      const added = await cli(['tenants', 'add', '--file', file], {
        ...e,
        SYS: 'SoConnector-4.sys',
      });
      expect(added.code).toBe(0);

      const refused = await cli(['--tenant', 'Cust4', 'whoami'], e);
      expect(refused.code).toBe(78);
      expect(refused.stderr).toContain(
        "invalid configuration: --tenant Cust4 (from the tenant store) signs in as a system user (systemUserToken): set SO_APP_PRIVATE_KEY_FILE (the app's RSA private key)",
      );

      const tokensBefore = systemSim.counters.get('POST token');
      const who = await cli(['--tenant', 'Cust4', 'whoami', '--json'], {
        ...e,
        SO_APP_PRIVATE_KEY_FILE: keyFile,
      });
      expect(who.code).toBe(0);
      expect(who.json()).toMatchObject({ tenant: 'Cust4' });
      expect(systemSim.systemUser.ticketsIssued).toBe(1);
      expect(systemSim.counters.get('POST token')).toBe(tokensBefore); // no OAuth token call
    } finally {
      await systemSim.stop();
    }
  });

  it("failed list and retry act on the chosen tenant's jobs only", async () => {
    const e = env({ TENANTS_FILE: tenantsFile([fileTenant('Cust2')]) });
    const queue = createEnrichQueue(f.connection(), f.prefix());
    const workerConnection = f.connection().duplicate();
    const worker = new Worker(
      queue.name,
      (job) => {
        throw new Error(`boom for ${(job.data as { tenant: string }).tenant}`);
      },
      { connection: workerConnection, prefix: f.prefix() },
    );
    try {
      const job = (tenant: string) => ({
        tenant,
        entity: 'contact' as const,
        recordId: 5,
        firstEventAt: new Date().toISOString(),
        lastEventId: `ev-${tenant}`,
      });
      const mine = await queue.add('contact', job('Cust2'), { attempts: 1 });
      const theirs = await queue.add('contact', job('Cust12345'), { attempts: 1 });
      await waitFor(
        async () => (await mine.getState()) === 'failed' && (await theirs.getState()) === 'failed',
        { what: 'both jobs to fail' },
      );
      const ids = async (args: string[]) =>
        (await cli([...args, 'failed', 'list', '--json'], e))
          .json<{ failed: { id: string }[] }>()
          .failed.map((j) => j.id)
          .sort();
      expect(await ids(['--tenant', 'Cust2'])).toEqual([mine.id]);
      expect(await ids(['--tenant', 'Cust12345'])).toEqual([theirs.id]);
      expect(await ids([])).toEqual([mine.id, theirs.id].sort());

      const other = await cli(['--tenant', 'Cust2', 'failed', 'retry', theirs.id!], e);
      expect(other.code).toBe(1);
      expect(other.stderr).toContain(`no job ${theirs.id!} in`);
      const all = await cli(['--tenant', 'Cust2', 'failed', 'retry', '--all', '--json'], e);
      expect(all.json<{ retried: { id: string }[] }>().retried.map((r) => r.id)).toEqual([mine.id]);
      expect(await theirs.getState()).toBe('failed');
    } finally {
      await worker.close();
      // A connection passed in stays open when its worker closes (it would keep jest alive).
      await workerConnection.quit();
      await queue.close();
    }
  });
});
