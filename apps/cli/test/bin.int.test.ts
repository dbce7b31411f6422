import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';

// The built binary as an operator runs it: a child process, real exit codes.
const bin = join(__dirname, '..', 'dist', 'main.js');

function runBin(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(
      `${bin} is missing: build the CLI first (pnpm turbo run build --filter=@so-connector/cli...)`,
    );
});

describe('the so-connector binary', () => {
  it('prints its help with exit code 0', async () => {
    const run = await runBin(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: so-connector /);
    expect(run.stdout).toContain('replay');
  });

  it('runs a real command against the simulator', async () => {
    const sim = await startSimulator();
    try {
      const run = await runBin(
        ['raw', 'GET', '/v1/User/currentPrincipal', '--json'],
        superOfficeEnvFor(sim),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ AssociateId: 42, UserName: 'so-connector' });
    } finally {
      await sim.stop();
    }
  });

  it('propagates exit codes: 78 for configuration, 2 for usage', async () => {
    const config = await runBin(['whoami'], {});
    expect(config.code).toBe(78);
    expect(config.stderr).toMatch(
      /^so-connector: invalid configuration: SO_CONTEXT_IDENTIFIER is required/,
    );
    expect(config.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runBin(['no-such-command'], {})).code).toBe(2);
  });
});
