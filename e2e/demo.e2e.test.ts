import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, useTestRedis, type TestRedis } from '@so-connector/testing';

// The README's first command, end to end: built receiver process, real Redis, signed deliveries.
describe('scripts/demo.mjs (the quick start)', () => {
  let redis: TestRedis;
  let spoolDir: string;
  beforeAll(async () => {
    redis = await useTestRedis();
    spoolDir = mkdtempSync(join(tmpdir(), 'so-demo-spool-'));
  });
  afterAll(async () => {
    await redis.cleanup();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('starts the receiver on the demo tenant and walks through every answer', async () => {
    const port = await freePort();
    const result = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'scripts', 'demo.mjs'), '--once'],
      {
        env: {
          PATH: process.env.PATH,
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          PORT: String(port),
          SPOOL_DIR: spoolDir,
          LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/registration ping \(test event\)\s+→ 200 \{"status":"ignored"/);
    expect(out).toMatch(/contact\.changed \(signed\)\s+→ 200 \{"status":"accepted"/);
    expect(out).toMatch(/the same EventId again \(a retry\)\s+→ 200 \{"status":"duplicate"/);
    expect(out).toMatch(/an event of another tenant\s+→ 403/);
    expect(out).toMatch(/an unsigned event\s+→ 401/);
    expect(out).toMatch(/GET \/readyz\s+→ 200 \{"status":"ready"/);
  });
});
