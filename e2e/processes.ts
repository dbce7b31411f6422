import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Started apps that have not exited yet (a harness that failed half-way must leave none). */
const running = new Set<ChildProcess>();

/** How many apps this test process started are still running. */
export function runningApps(): number {
  return running.size;
}

export interface ProductProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL, as a crash would, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a built app (`apps/{name}/dist/main.js`) with exactly the given environment; `nodeArgs`
 * go before the script (e.g. a `--require` probe) and `args` after it (the CLI's command).
 */
export function startApp(
  name: 'receiver' | 'worker' | 'cli',
  env: Record<string, string>,
  options: { nodeArgs?: readonly string[]; args?: readonly string[] } = {},
): ProductProcess {
  const script = join(root, 'apps', name, 'dist', 'main.js');
  const argv = [...(options.nodeArgs ?? []), script, ...(options.args ?? [])];
  const child = spawn(process.execPath, argv, {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
}
