#!/usr/bin/env node
// Entry point of the root scripts that must work on a fresh clone: installs dependencies when
// they are missing or stale, builds, then runs the tests, the demo or the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...rest] = process.argv.slice(2);

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error?.code === 'ETIMEDOUT') {
    console.error(
      `${cmd} did not finish within ${options.timeout / 60000} minutes (an open handle in a test?)`,
    );
    process.exit(1);
  }
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const pnpmVersion = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).packageManager.split('@')[1];

function pnpm(args) {
  // pnpm when it is on PATH; else the pinned version through npx (npm ships with Node).
  const onPath = spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0;
  if (onPath) return run('pnpm', args);
  return run('npx', ['--yes', `pnpm@${pnpmVersion}`, ...args]);
}

function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
    pnpm(['install', '--frozen-lockfile']);
  }
}

ensureInstalled();
switch (command) {
  case 'test':
    pnpm(['run', 'build']); // the process-level tests start the built receiver
    // A test that leaves a connection open keeps jest alive for ever; fail loudly instead of
    // letting CI run into its 90-minute cap.
    run(join(root, 'node_modules', '.bin', 'jest'), rest, {
      timeout: 20 * 60_000,
      killSignal: 'SIGKILL',
    });
    break;
  case 'demo':
    pnpm(['run', 'build']);
    run(process.execPath, [join(root, 'scripts', 'demo.mjs'), ...rest]);
    break;
  case 'bench':
    pnpm(['run', 'build']);
    pnpm(['--filter', '@so-connector/bench', 'run', 'bench', ...rest]);
    break;
  case 'cli': {
    // Build the CLI and what it depends on (turbo's cache makes this quick), quietly: the
    // command's own output is what the operator reads.
    const built = spawnSync(
      join(root, 'node_modules', '.bin', 'turbo'),
      ['run', 'build', '--filter=@so-connector/cli...', '--output-logs=errors-only'],
      { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (built.status !== 0) process.exit(built.status ?? 1);
    run(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...rest]);
    break;
  }
  default:
    console.error('usage: node scripts/run.mjs test|demo|bench|cli [args]');
    process.exit(2);
}
