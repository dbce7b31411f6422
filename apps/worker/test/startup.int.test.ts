import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { freePort, superOfficeEnvFor, useTestRedis, waitFor } from '@so-connector/testing';

// The built worker, started the way `pnpm start` does.
const mainJs = join(__dirname, '..', 'dist', 'main.js');

describe('worker start-up', () => {
  it.each([
    [
      {
        SO_CONTEXT_IDENTIFIER: 'Cust1',
        SO_CLIENT_SECRET: 's',
        SO_REFRESH_TOKEN: 'r',
        SO_UDF_VERTICAL: 'SuperOffice:83',
      },
      /^\[worker\] invalid configuration: SO_CLIENT_ID is required to call SuperOffice \(the app id\)\n$/,
    ],
    [
      {
        SO_CONTEXT_IDENTIFIER: 'Cust1',
        SO_CLIENT_ID: 'i',
        SO_CLIENT_SECRET: 'top-secret-1',
        SO_REFRESH_TOKEN: 'r',
        SO_UDF_VERTICAL: 'SuperOffice:83',
        ENRICH_DEBOUNCE_MS: 'soon',
      },
      /^\[worker\] invalid configuration: ENRICH_DEBOUNCE_MS expected a whole number from 0 to 3600000 \(got "soon"\)\n$/,
    ],
  ])('stops with exit code 78 and one line naming the variable (%#)', (env, line) => {
    const result = spawnSync(process.execPath, [mainJs], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(line);
    expect(result.stderr).not.toContain('top-secret-1');
  });

  it('learns its associate id, starts, and exits 0 on SIGTERM', async () => {
    const redis = await useTestRedis();
    const sim = await startSimulator();
    try {
      const child = spawn(process.execPath, [mainJs], {
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          ...superOfficeEnvFor(sim),
          SO_UDF_VERTICAL: 'SuperOffice:83',
          METRICS_PORT: String(await freePort()),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await waitFor(() => out.includes('worker started'), {
        timeoutMs: 15_000,
        what: 'the worker to start',
      });
      expect(out).toContain('"associateId":42');
      expect(out).not.toContain(sim.client.clientSecret);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await sim.stop();
      await redis.cleanup();
    }
  });
});
