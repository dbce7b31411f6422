import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const root = join(__dirname, '..');
/** What a machine with Node and npm, but no pnpm, lacks. */
const ABSENT = new Set(['pnpm', 'pnpx', 'corepack', 'yarn', 'yarnpkg']);

/**
 * A one-directory PATH holding everything on this PATH (first one wins, as in a lookup) except
 * pnpm and the tools that would provide it: the machine of an operator who installed only Node.
 */
function pathWithoutPnpm(dir: string): string {
  // A relative entry (`pnpm exec` puts `./node_modules/.bin` first) is resolved: a link to a
  // relative target would dangle in `dir`. Names are remembered rather than checked with existsSync,
  // which follows links and takes a dangling one for absent (then EEXIST).
  const linked = new Set<string>();
  for (const raw of (process.env.PATH ?? '').split(delimiter)) {
    if (raw === '' || !existsSync(raw)) continue;
    const entry = resolve(raw);
    for (const name of readdirSync(entry)) {
      if (ABSENT.has(name) || linked.has(name)) continue;
      symlinkSync(join(entry, name), join(dir, name));
      linked.add(name);
    }
  }
  return dir;
}

// Every documented `npm run …` must work with only Node and npm (issue 11 §6): scripts/run.mjs
// runs itself again under `npx --package pnpm@<packageManager>` so turbo finds pnpm.
describe('npm run without pnpm on PATH', () => {
  let dir: string;
  let PATH: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'so-npm-only-'));
    PATH = pathWithoutPnpm(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const npm = (...args: string[]) =>
    spawnSync('npm', args, {
      cwd: root,
      env: { PATH, HOME: process.env.HOME },
      encoding: 'utf8',
      timeout: 180_000,
    });

  it('has no pnpm on that PATH (else this test proves nothing)', () => {
    const pnpm = spawnSync('pnpm', ['--version'], { env: { PATH } });
    expect((pnpm.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });

  it('npm run cli -- --help builds the CLI with turbo and prints its commands', () => {
    const result = npm('run', 'cli', '--', '--help');
    expect(result.stderr).not.toMatch(/Unable to find package manager binary/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: so-connector/);
    expect(result.stdout).toMatch(/doctor/);
  }, 200_000);

  it('npm run build runs turbo over the workspace', () => {
    const result = npm('run', 'build');
    expect(result.stderr).not.toMatch(/Unable to find package manager binary/);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Tasks:\s+\d+ successful/);
  }, 200_000);
});
