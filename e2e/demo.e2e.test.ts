import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, useTestRedis, type TestRedis } from '@so-connector/testing';

// The README's first command, end to end: the built simulator, receiver and worker processes,
// real Redis, signed webhooks over HTTP, the builtin provider.
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

  it('enriches a new company through webhook → receiver → worker → write-back, once, with its echo skipped', async () => {
    const [port, simPort] = [await freePort(), await freePort()];
    const result = spawnSync(
      process.execPath,
      [join(__dirname, '..', 'scripts', 'demo.mjs'), '--once'],
      {
        env: {
          PATH: process.env.PATH,
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          PORT: String(port),
          SIM_PORT: String(simPort),
          SPOOL_DIR: spoolDir,
          LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(result.stderr).not.toMatch(/timed out|exited with code/);
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /Webhook 1 registered \(Active\); the receiver answered SuperOffice's test ping\./,
    );
    expect(out).toMatch(/Vertical \(SuperOffice:83\)\s+\[I:6\] = Energy/);
    expect(out).toMatch(
      /Summary\s+\(SuperOffice:84\)\s+Solgrid Energy AS is an Energy company based in Norway\./,
    );
    expect(out).toMatch(
      /PATCHes of the company: 1 \(the echo of the write was skipped, no ping-pong\)/,
    );
    // A burst of three renames is one enrichment and one write; a person's new title is enriched.
    expect(out).toMatch(/✓ company 2 enriched: Nordlys Robotics ASA is a/);
    expect(out).toMatch(/✓ person 12 enriched: Hi Ola, as Chief Technology Officer/);
    expect(out).toMatch(/PATCHes of company 2: 1 for three renames/);
    expect(out).toMatch(
      /Dashboard: http:\/\/127\.0\.0\.1:\d+\/admin {2}\(user admin, password \S{12,}\)/,
    );
  });
});
