#!/usr/bin/env node
// Entry point of the root scripts that must work on a fresh clone with only Node and npm: installs
// dependencies when they are missing or stale, builds, then runs the tests, the demo, the
// benchmarks, the CLI or a workspace tool (turbo, prettier).
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

const pnpmOnPath = () => spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0;

// turbo runs each package's script with the package manager of `packageManager` and stops with
// "Unable to find package manager binary" when pnpm is not on PATH. With only Node and npm, run
// this script again under npx, which puts the pinned pnpm's bin directory first on PATH for it and
// for every process it starts (turbo, pnpm install, the package scripts).
if (!pnpmOnPath()) {
  if (process.env.SO_RUN_PNPM_FROM_NPX) {
    console.error(`pnpm is not on PATH even under npx --package pnpm@${pnpmVersion}`);
    process.exit(1);
  }
  run(
    'npx',
    ['--yes', '--package', `pnpm@${pnpmVersion}`, '--', process.execPath, ...process.argv.slice(1)],
    {
      env: { ...process.env, SO_RUN_PNPM_FROM_NPX: '1' },
    },
  );
  process.exit(0);
}

const pnpm = (args) => run('pnpm', args);

function ensureInstalled() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
    pnpm(['install', '--frozen-lockfile']);
  }
}

ensureInstalled();
switch (command) {
  case 'turbo':
  case 'prettier':
    // `npm run build|typecheck|lint|format`: the workspace's own binaries, after the install.
    run(join(root, 'node_modules', '.bin', command), rest);
    break;
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
    // While `npm run demo` runs, its environment is in .env.demo: the CLI talks to the demo.
    const demoEnv = join(root, '.env.demo');
    const envFile =
      existsSync(demoEnv) && !rest.some((a) => a === '--env-file' || a.startsWith('--env-file='))
        ? ['--env-file', demoEnv]
        : [];
    if (envFile.length > 0)
      console.error('(environment from .env.demo, written by the running npm run demo)');
    run(process.execPath, [join(root, 'apps', 'cli', 'dist', 'main.js'), ...envFile, ...rest]);
    break;
  }
  default:
    console.error('usage: node scripts/run.mjs test|demo|bench|cli|turbo|prettier [args]');
    process.exit(2);
}
