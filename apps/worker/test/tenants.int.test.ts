import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from '@so-connector/testing';
import { B, eventJobsOf, soCalls, useTwoTenants, tenantB, udfsOf } from './tenants-harness';
import { UDF } from './worker-harness';

const A = 'Cust12345';
const PROBLEM = 'tenant source not reloaded; its last good tenants keep serving';
const HUMAN = 5;
const system = useTwoTenants();

describe('worker: many tenants in one process (two simulators, real Redis)', () => {
  it("enriches each tenant's events with its own credentials, UDF map and echo rule; nothing crosses", async () => {
    const t = await system.start();
    // The same record ids exist in both tenants; 42 is A's API user but a human in B.
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    t.simB.editAs(42, 'contact', 3, { Name: 'Fjordsky Software Group AB' });
    await t.settled();

    expect(udfsOf(t.simA, 2)[UDF.summary]).toContain('Nordlys Robotics ASA');
    expect(udfsOf(t.simB, 3)[B.udf.summary]).toContain('Fjordsky Software Group AB');
    expect(udfsOf(t.simB, 3)[`${B.udf.vertical}:DisplayText`]).toBe('Software & IT');
    // Nothing of one tenant was written into the other.
    expect(String(udfsOf(t.simA, 3)[UDF.summary] ?? '')).not.toContain('Fjordsky');
    expect(String(udfsOf(t.simB, 2)[B.udf.summary] ?? '')).not.toContain('Nordlys');
    expect(udfsOf(t.simB, 3)[UDF.summary]).toBeUndefined();
    expect(t.simA.counters.get('PATCH Contact/{id}')).toBe(1);
    expect(t.simB.counters.get('PATCH Contact/{id}')).toBe(1);
    // Each simulator accepts only its own refresh token: a write there proves the credential.
    expect(t.simB.counters.get('POST token')).toBeGreaterThan(0);

    // Sync runs are the tenant's own; B's echo is recognised by B's API user (77), not A's (42).
    const [runB] = await t.runs.runsForAccount(B.contextIdentifier, 3);
    expect(runB).toMatchObject({ status: 'COMPLETED', accountName: 'Fjordsky Software Group AB' });
    expect(runB!.entries.map((e) => [e.kind, e.status, e.reason])).toEqual(
      expect.arrayContaining([
        ['event', 'COMPLETED', 'relevant-change'],
        ['enrichment', 'COMPLETED', undefined],
        ['event', 'SKIPPED', 'echo'],
      ]),
    );
    expect(await t.runs.runsForAccount(B.contextIdentifier, 2)).toEqual([]);
    expect(await t.runs.runsForAccount(A, 3)).toEqual([]);
    expect(await soCalls(t, B.contextIdentifier)).toBeGreaterThan(0);
    expect(await soCalls(t, A)).toBeGreaterThan(0);
    expect(t.worker.tenants.runtimes.active()).toEqual([A, B.contextIdentifier]);
  });

  it("rebuilds a changed tenant's runtime from its new settings on its next job", async () => {
    const t = await system.start();
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    expect(udfsOf(t.simB, 2)[B.udf.summary]).toContain('Nordlys Robotics ASA');

    // B now enriches only accounts owned by associate 12 (contact 3 is, contact 4 is not).
    await t.store.put(tenantB(t.simB, { ownerScope: ['12'] }));
    await waitFor(() => t.registry.get(B.contextIdentifier)?.ownerScope.length === 1);
    t.simB.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software Group AB' });
    t.simB.editAs(HUMAN, 'contact', 4, { Name: 'Helse Vest Klinikk AS' });
    await t.settled();
    expect(udfsOf(t.simB, 3)[B.udf.summary]).toContain('Fjordsky Software Group AB');
    expect(String(udfsOf(t.simB, 4)[B.udf.summary] ?? '')).not.toContain('Helse Vest');
    const [run4] = await t.runs.runsForAccount(B.contextIdentifier, 4);
    expect(run4!.entries.map((e) => e.reason)).toContain('out-of-scope');
  });

  it('logs a tenant source that fails to reload and keeps serving its last good tenants', async () => {
    const t = await system.start();
    // A damaged record in the store (as a bad manual edit would leave it), with the version bumped.
    const connection = new Redis(system.redis().url);
    await connection.hset(t.store.key, 'Cust3', 'not a stored tenant');
    await connection.hincrby(t.store.key, ':version', 1);
    connection.disconnect();
    await waitFor(() => t.logs().some((l) => l.message === PROBLEM), { what: 'the problem log' });
    expect(t.logs().find((l) => l.message === PROBLEM)).toMatchObject({
      level: 'error',
      source: 'store',
    });
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    expect(udfsOf(t.simB, 2)[B.udf.summary]).toContain('Nordlys Robotics ASA');
  });

  it("ends a removed tenant's jobs as skipped (tenant-unknown), never retried; the other tenant goes on", async () => {
    const t = await system.start();
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    expect(udfsOf(t.simB, 2)[B.udf.summary]).toContain('Nordlys Robotics ASA');

    // Mid-traffic: B's edits keep coming while B is removed.
    for (const id of [3, 4]) t.simB.editAs(HUMAN, 'contact', id, { Name: `B ${id}` });
    await t.store.remove(B.contextIdentifier);
    await t.registryHasB(false);
    t.simB.editAs(HUMAN, 'contact', 5, { Name: 'B 5 after removal' });
    t.simA.editAs(HUMAN, 'contact', 5, { Name: 'A 5 after removal' });
    await t.settled();

    const jobs = await eventJobsOf(t, B.contextIdentifier);
    expect(jobs.filter((j) => j.state !== 'completed')).toEqual([]);
    expect(jobs.every((j) => j.attemptsMade <= 1)).toBe(true);
    expect(jobs.map((j) => j.outcome)).toContainEqual({
      outcome: 'skipped',
      reason: 'tenant-unknown',
      detail: `tenant ${B.contextIdentifier} is not registered in this deployment`,
    });
    expect(String(udfsOf(t.simB, 5)[B.udf.summary] ?? '')).not.toContain('B 5');
    expect(udfsOf(t.simA, 5)[UDF.summary]).toContain('A 5 after removal');
    expect(await t.enrich.getJobs(['failed'])).toEqual([]);
    expect(t.worker.tenants.runtimes.active()).toEqual([A]);
  });

  it('serves a system-user tenant with a ticket signed by the app key (SO_APP_PRIVATE_KEY_FILE)', async () => {
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyDir = mkdtempSync(join(tmpdir(), 'so-app-key-'));
    const keyFile = join(keyDir, 'app.pem');
    writeFileSync(keyFile, app.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    try {
      const t = await system.start({
        simB: { systemUser: { appPublicKey: app.publicKey, systemUserToken: 'SoConnector-B.sys' } },
        b: { credentials: { kind: 'system-user', systemUserToken: 'SoConnector-B.sys' } },
        env: { SO_APP_PRIVATE_KEY_FILE: keyFile },
      });
      const tokensBefore = t.simB.counters.get('POST token');
      t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
      await t.settled();
      expect(String(udfsOf(t.simB, 2)[B.udf.summary] ?? '')).toContain('Nordlys Robotics ASA');
      expect(t.simB.systemUser.ticketsIssued).toBeGreaterThanOrEqual(1);
      // No OAuth token call: the ticket is the only credential used.
      expect(t.simB.counters.get('POST token')).toBe(tokensBefore);
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
  });

  it("fails a system-user tenant's jobs at once, naming the tenant, when the app key is not set", async () => {
    const t = await system.start({
      b: { credentials: { kind: 'system-user', systemUserToken: 'system-token' } },
    });
    const tokensBefore = t.simB.counters.get('POST token');
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    const jobs = await eventJobsOf(t, B.contextIdentifier);
    expect(jobs).toEqual([
      expect.objectContaining({
        state: 'failed',
        attemptsMade: 1,
        failedReason: `tenant ${B.contextIdentifier}: system-user sign-in needs the app's RSA private key: set SO_APP_PRIVATE_KEY_FILE`,
      }),
    ]);
    expect(t.simB.counters.get('POST token')).toBe(tokensBefore);
    expect(udfsOf(t.simA, 2)[UDF.summary]).toContain('Nordlys Robotics ASA');
  });
});

describe('worker: a tenant whose credential SuperOffice refuses (invalid_grant)', () => {
  it('marks it "needs re-consent" and defers its jobs; the other tenant goes on; a new credential resumes them', async () => {
    const t = await system.start({
      b: { credentials: { kind: 'refresh-token', refreshToken: 'revoked-token' } },
    });
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    const reconsent = t.worker.tenants.reconsent;
    await waitFor(async () => (await reconsent.list()).length === 1, { what: 'the mark' });
    await waitFor(
      async () => (await eventJobsOf(t, B.contextIdentifier)).some((j) => j.state === 'delayed'),
      { what: "B's deferred event" },
    );
    await waitFor(() => udfsOf(t.simA, 2)[UDF.summary]?.includes('Nordlys'), {
      timeoutMs: 15_000,
      what: "A's enrichment",
    });
    expect(await reconsent.list()).toEqual([
      expect.objectContaining({ contextIdentifier: B.contextIdentifier, reason: 'invalid_grant' }),
    ]);
    // Deferred, not retried in a loop: the token endpoint is not asked again.
    const refusals = t.simB.counters.get('POST token');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.simB.counters.get('POST token')).toBe(refusals);
    expect(await t.events.getJobs(['failed'])).toEqual([]);

    // The operator puts the new credential in the registry: the mark goes, the job runs now
    // (its 10-minute deferral is cut short).
    await t.store.put(tenantB(t.simB));
    await waitFor(() => udfsOf(t.simB, 2)[B.udf.summary]?.includes('Nordlys'), {
      timeoutMs: 15_000,
      what: "B's enrichment after re-consent",
    });
    expect(await reconsent.list()).toEqual([]);
    expect(
      t
        .logs()
        .filter((l) => l.message === 'tenant needs re-consent: SuperOffice refused its credential'),
    ).toHaveLength(1);
  });

  it('clears the mark of a removed tenant and ends its deferred jobs as skipped', async () => {
    const t = await system.start({
      b: { credentials: { kind: 'refresh-token', refreshToken: 'revoked-token' } },
    });
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await waitFor(
      async () => (await eventJobsOf(t, B.contextIdentifier)).some((j) => j.state === 'delayed'),
      { what: "B's deferred event" },
    );
    await t.store.remove(B.contextIdentifier);
    await t.settled();
    expect(await t.worker.tenants.reconsent.list()).toEqual([]);
    expect((await eventJobsOf(t, B.contextIdentifier)).map((j) => [j.state, j.outcome])).toEqual([
      ['completed', expect.objectContaining({ outcome: 'skipped', reason: 'tenant-unknown' })],
    ]);
  });

  it('defers an enrichment whose token refresh is refused mid-traffic, and resumes it after re-consent', async () => {
    const t = await system.start({ b: { ownAssociateId: B.apiUser } });
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    expect(udfsOf(t.simB, 2)[B.udf.summary]).toContain('Nordlys Robotics ASA');

    // The customer withdraws consent: SuperOffice refuses the refresh token from now on.
    (t.simB.client as { refreshToken: string }).refreshToken = 'rt-cust2-new';
    t.simB.expireTokens();
    t.simB.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software Group AB' });
    await waitFor(async () => (await t.enrich.getJobs(['delayed'])).length === 1, {
      timeoutMs: 10_000,
      what: "B's deferred enrichment",
    });
    await waitFor(async () => (await t.worker.tenants.reconsent.list()).length === 1);
    expect(await t.enrich.getJobs(['failed'])).toEqual([]);

    await t.store.put(
      tenantB(t.simB, {
        ownAssociateId: B.apiUser,
        credentials: { kind: 'refresh-token', refreshToken: 'rt-cust2-new' },
      }),
    );
    await t.settled();
    expect(udfsOf(t.simB, 3)[B.udf.summary]).toContain('Fjordsky Software Group AB');
    expect(await t.worker.tenants.reconsent.list()).toEqual([]);
  });
});
