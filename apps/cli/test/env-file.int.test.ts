import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';
import { cli } from './cli-harness';

// `--env-file` (what `npm run cli` passes for the demo's .env.demo), against the simulator.
let sim: RunningSimulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ retryScale: 0.001 });
  dir = mkdtempSync(join(tmpdir(), 'so-cli-env-file-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function envFile(vars: Record<string, string>): string {
  const path = join(dir, `${Object.keys(vars).length}-${Date.now()}.env`);
  writeFileSync(
    path,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  return path;
}

describe('--env-file', () => {
  it('takes the configuration from the file when the process environment has none', async () => {
    const path = envFile(superOfficeEnvFor(sim));
    const run = await cli(['--env-file', path, 'whoami', '--json'], {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ tenant: 'Cust12345', associateId: 42 });
  });

  it('lets a variable of the process environment win over the file', async () => {
    const path = envFile(superOfficeEnvFor(sim));
    const run = await cli(['whoami', '--env-file', path], {
      SO_CLIENT_SECRET: 'wrong-client-secret',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('check SO_CLIENT_ID, SO_CLIENT_SECRET and SO_REFRESH_TOKEN');
  });

  it('exits 78 with one line naming a file it cannot read', async () => {
    const path = join(dir, 'absent.env');
    const run = await cli(['--env-file', path, 'whoami'], {});
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(`so-connector: --env-file ${path}: cannot read it (ENOENT)\n`);
  });
});
