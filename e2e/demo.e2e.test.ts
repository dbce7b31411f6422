import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startRedisServer, waitFor, type RedisServer } from '@so-connector/testing';

const root = join(__dirname, '..');

// The README's first command, end to end: the built simulator, receiver and worker processes,
// real Redis, signed webhooks over HTTP, the builtin provider; then the operator's CLI against
// the running demo through the environment file it writes.
describe('scripts/demo.mjs (the quick start)', () => {
  // Its own Redis with AOF on, as the demo starts one: doctor's durability checks must PASS.
  let redis: RedisServer;
  let dir: string;
  let demo: ChildProcess | undefined;
  beforeAll(async () => {
    redis = await startRedisServer({ appendOnly: 'everysec' });
    dir = mkdtempSync(join(tmpdir(), 'so-demo-'));
  });
  afterAll(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enriches a new company through webhook → receiver → worker → write-back, once, with its echo skipped; doctor passes against it', async () => {
    const [port, simPort] = [await freePort(), await freePort()];
    const envFile = join(dir, '.env.demo');
    const child = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs')], {
      env: {
        PATH: process.env.PATH,
        REDIS_URL: redis.url,
        PORT: String(port),
        SIM_PORT: String(simPort),
        SPOOL_DIR: join(dir, 'spool'),
        DEMO_ENV_FILE: envFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => out.includes('Serving until Ctrl-C') || child.exitCode !== null, {
      timeoutMs: 90_000,
    });
    expect(err).not.toMatch(/timed out|exited with code/);
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
    expect(out).toContain(`CLI:       npm run cli -- --env-file ${envFile} doctor`);

    // The operator's next step: the CLI, with nothing but the demo's file, checks the running demo.
    expect(existsSync(envFile)).toBe(true);
    const doctor = await promisify(execFile)(
      process.execPath,
      [join(root, 'apps', 'cli', 'dist', 'main.js'), '--env-file', envFile, 'doctor'],
      { env: { PATH: process.env.PATH }, encoding: 'utf8' },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const lines = doctor.stdout.split('\n').filter((l) => /^(PASS|WARN|FAIL|SKIP) /.test(l));
    expect(lines.filter((l) => !l.startsWith('PASS '))).toEqual([]);
    // config, Redis (3), SuperOffice (5), UDFs (5), vertical list, webhook (2), provider.
    expect(lines.length).toBeGreaterThanOrEqual(18);
    expect(doctor.stdout).toMatch(/^PASS {2}webhook 1 secret /m);

    // Ctrl-C: the demo stops its processes and takes its environment file with it.
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(envFile)).toBe(false);
  }, 150_000);
});
