import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort, useTestRedis, waitFor } from '@so-connector/testing';
import { join } from 'node:path';

// The built receiver, started the way `pnpm start` does, with a broken environment.
const mainJs = join(__dirname, '..', 'dist', 'main.js');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('receiver start-up', () => {
  it.each([
    [
      { SO_CONTEXT_IDENTIFIER: 'Cust1', WEBHOOK_SECRET: 'x'.repeat(20), PORT: 'abc' },
      /^\[receiver\] invalid configuration: PORT expected a whole number from 0 to 65535 \(got "abc"\)\n$/,
    ],
    [
      { WEBHOOK_SECRET: 'x'.repeat(20) },
      /^\[receiver\] invalid configuration: SO_CONTEXT_IDENTIFIER is required: the SuperOffice tenant id, e\.g\. Cust12345\n$/,
    ],
    [
      { SO_CONTEXT_IDENTIFIER: 'Cust1' },
      /^\[receiver\] invalid configuration: WEBHOOK_SECRET is required: .*ALLOW_UNSIGNED=true.*\n$/,
    ],
    [
      {
        SO_CONTEXT_IDENTIFIER: 'Cust1',
        WEBHOOK_TOKEN: 't'.repeat(20),
        REDIS_URL: 'localhost:6379',
      },
      /^\[receiver\] invalid configuration: REDIS_URL expected a redis:\/\/ or rediss:\/\/ URL\n$/,
    ],
  ])('stops with exit code 78 and one line naming the variable (%j)', (env, line) => {
    const result = start(env);
    expect(result.status).toBe(78);
    expect(result.stderr).toMatch(line);
    expect(result.stdout).toBe('');
  });

  it('never prints a secret value in the error line', () => {
    const result = start({
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      WEBHOOK_SECRET: 'topsecret-value-123',
      REDIS_URL: 'redis//:pw-in-url@host',
    });
    expect(result.status).toBe(78);
    expect(result.stderr).not.toContain('pw-in-url');
    expect(result.stderr).not.toContain('topsecret-value-123');
  });
});

describe('unsigned mode and graceful shutdown', () => {
  it('starts with ALLOW_UNSIGNED=true only after a loud warning, and exits 0 on SIGTERM', async () => {
    const redis = await useTestRedis();
    const spoolDir = mkdtempSync(join(tmpdir(), 'so-startup-'));
    try {
      const port = await freePort();
      const child = spawn(process.execPath, [mainJs], {
        env: {
          PATH: process.env.PATH ?? '',
          SO_CONTEXT_IDENTIFIER: 'Cust1',
          ALLOW_UNSIGNED: 'true',
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          PORT: String(port),
          SPOOL_DIR: spoolDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await waitFor(() => stdout.includes('receiver listening'), {
        timeoutMs: 15_000,
        what: 'the receiver to listen',
      });
      const warning = stdout.split('\n').find((line) => line.includes('ALLOW_UNSIGNED=true'));
      expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'warn', component: 'receiver' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toContain('"message":"shutdown complete"');
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
      await redis.cleanup();
    }
  });
});
