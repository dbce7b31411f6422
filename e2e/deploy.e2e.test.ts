import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

// The deployment files (Dockerfile, docker-compose.yml, docker/, .dockerignore) are checked as text
// here, in every test run; scripts/docker-smoke.sh (the last step of .ci/run) builds the image and
// runs the compose services. docs/deploy.md says why each property matters and what the smoke checks.
const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** `${VAR:-default}` / `${VAR-default}` → default, `${VAR}` → '' (what Compose uses with VAR unset). */
const withDefaults = (value: string) =>
  value.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_m, fallback?: string) => fallback ?? '');

/** Compose durations such as `15s`, `1m30s`, in milliseconds. */
function durationMs(value: string): number {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  expect(parts.map((p) => p[0]).join('')).toBe(value);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u as keyof typeof unit], 0);
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, split into stages. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = rest;
      stages.push({
        from: image.replace(/\$\{(\w+)\}/g, (_m, v: string) => args.get(v) ?? ''),
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const finalStage = dockerfile.stages.at(-1)!;
const buildStages = dockerfile.stages.slice(0, -1);
const inStage = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword);
/** Every instruction of every stage as one text (comments excluded). */
const allInstructions = dockerfile.stages
  .flatMap((s) => s.instructions)
  .map((i) => `${i.keyword} ${i.args}`)
  .join('\n');
const rootPackage = JSON.parse(read('package.json')) as {
  packageManager: string;
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const entrypoint = read('docker/entrypoint.sh');
/** The apps docker/entrypoint.sh starts from /app/<app>/dist/main.js (its `a | b | c)` case). */
const distApps = /^\s*([\w| ]+)\)\s*exec node "\/app\/\$app\/dist\/main\.js"/m
  .exec(entrypoint)?.[1]
  ?.split('|')
  .map((a) => a.trim());
/** Every command of the entry point's case statement, `*` excluded. */
const entrypointCommands = [...entrypoint.matchAll(/^\s*([\w| ]+)\)/gm)].flatMap((m) =>
  m[1]!.split('|').map((a) => a.trim()),
);

describe('Dockerfile', () => {
  it('is multi-stage on a pinned Node 20 slim image that satisfies the engines field and .nvmrc', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const [, minMinor] = /^>=20\.(\d+)\./.exec(rootPackage.engines.node) ?? [];
    expect(minMinor).toBeDefined();
    for (const stage of dockerfile.stages) {
      const match = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim(@sha256:[0-9a-f]{64})?$/.exec(
        stage.from,
      );
      expect({ from: stage.from, pinned: match !== null }).toEqual({
        from: stage.from,
        pinned: true,
      });
      expect(match![1]).toBe(read('.nvmrc').trim());
      expect(Number(match![2])).toBeGreaterThanOrEqual(Number(minMinor));
    }
  });

  it('installs the pinned pnpm with npm (no corepack) in a build stage, from the frozen lockfile', () => {
    const pnpmVersion = rootPackage.packageManager.replace(/^pnpm@/, '');
    const buildText = buildStages
      .flatMap((s) => s.instructions)
      .map((i) => `${i.keyword} ${i.args}`)
      .join('\n');
    expect(buildText).toContain(`ARG PNPM_VERSION=${pnpmVersion}`);
    expect(buildText).toMatch(/RUN npm install -g pnpm@\$\{PNPM_VERSION\}/);
    expect(allInstructions).not.toMatch(/corepack/);
    expect(buildText).toMatch(/pnpm install --frozen-lockfile/);
  });

  it('cuts production-only bundles with pnpm deploy --prod, usable without injected workspace packages', () => {
    const deploys = buildStages
      .flatMap((s) => inStage(s, 'RUN'))
      .filter((i) => /\bpnpm\b.*\bdeploy\b/.test(i.args));
    expect(deploys).not.toHaveLength(0);
    for (const run of deploys) {
      expect(run.args).toMatch(/--prod\b/);
      // pnpm 10: deploy needs inject-workspace-packages=true unless --legacy is given.
      const injected =
        /inject-?workspace-?packages\s*[=:]\s*true/i.test(read('pnpm-workspace.yaml')) ||
        (existsSync(join(root, '.npmrc')) &&
          /inject-workspace-packages\s*=\s*true/.test(read('.npmrc')));
      expect(injected || /--legacy\b/.test(run.args)).toBe(true);
    }
    // Every app the entry point starts is deployed: `for app in receiver worker ...`.
    const deployed = /for app in ([\w\s-]+);/.exec(deploys.map((d) => d.args).join(' '))?.[1];
    expect(distApps).toBeDefined();
    for (const app of distApps!) expect(deployed?.split(/\s+/)).toContain(app);
    // --offline cannot work in a clean build: the legacy deploy re-resolves `catalog:` ranges.
    for (const run of deploys) expect(run.args).not.toMatch(/(^|\s)--offline\b/);
  });

  it('checks, at the end of the build, that the file each app starts from exists', () => {
    // The files docker/entrypoint.sh runs: /app/$app/dist/main.js for the node apps, and the simulator's.
    const started = [
      ...distApps!.map((app) => `${app}/dist/main.js`),
      ...[...entrypoint.matchAll(/\/app\/(\w+)\/(dist\/[\w.]+\.js)/g)].map(
        (m) => `${m[1]}/${m[2]}`,
      ),
    ].filter((file) => !file.startsWith('$'));
    expect(started).toContain('simulator/dist/main.js');
    const checks = buildStages
      .flatMap((s) => inStage(s, 'RUN'))
      .map((i) => i.args)
      .join(' ');
    const loop = /for app in ([\w\s-]+); do test -f "\/out\/\$app\/(dist\/[\w.]+\.js)"/.exec(
      checks,
    );
    expect(loop).not.toBeNull();
    const checked = loop![1]!
      .trim()
      .split(/\s+/)
      .map((app) => `${app}/${loop![2]}`);
    for (const file of started) expect(checked).toContain(file);
  });

  it('compiles nothing natively: install scripts run only for dev tools', () => {
    const workspace = parse(read('pnpm-workspace.yaml')) as { onlyBuiltDependencies?: string[] };
    const appDeps = ['receiver', 'worker', 'cli']
      .map((app) => JSON.parse(read(`apps/${app}/package.json`)) as { dependencies: object })
      .concat(
        JSON.parse(read('packages/superoffice-simulator/package.json')) as { dependencies: object },
      )
      .flatMap((pkg) => Object.keys(pkg.dependencies));
    for (const built of workspace.onlyBuiltDependencies ?? []) {
      expect(rootPackage.devDependencies).toHaveProperty([built]);
      expect(appDeps).not.toContain(built);
    }
    // No compiler toolchain is installed anywhere in the image build.
    expect(allInstructions).not.toMatch(/apt-get install|node-gyp|build-essential|python3?\b/);
  });

  it('runs the final stage as the unprivileged node user with a node-based HEALTHCHECK', () => {
    const users = inStage(finalStage, 'USER');
    expect(users).not.toHaveLength(0);
    expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(users.at(-1)!.args).toBe('node');
    const [healthcheck] = inStage(finalStage, 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD \["node", "\/app\/docker\/healthcheck\.cjs"\]/);
    expect(healthcheck?.args).not.toMatch(/curl|wget/);
    expect(inStage(finalStage, 'ENTRYPOINT')[0]?.args).toContain('/app/docker/entrypoint.sh');
  });

  it('final stage installs nothing and copies only dist, package.json and production node_modules', () => {
    for (const run of inStage(finalStage, 'RUN')) {
      expect(run.args).not.toMatch(/\b(npm|pnpm|yarn|corepack|apt-get|apk)\b/);
    }
    const copies = inStage(finalStage, 'COPY').concat(inStage(finalStage, 'ADD'));
    const fromBuild = copies.filter((c) => c.args.startsWith('--from='));
    expect(fromBuild).not.toHaveLength(0);
    for (const copy of fromBuild) {
      const [, ...paths] = copy.args.split(/\s+/);
      const sources = paths.slice(0, -1);
      for (const source of sources) expect(source).toMatch(/\/(dist|node_modules|package\.json)$/);
    }
    // From the build context: only the scripts in docker/, and they exist.
    for (const copy of copies.filter((c) => !c.args.startsWith('--from='))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        expect(source).toMatch(/^docker\/[\w.-]+$/);
        expect(existsSync(join(root, source))).toBe(true);
      }
    }
    // Each app the entry point starts has its dist and node_modules in the image.
    const copied = fromBuild.map((c) => c.args);
    for (const app of distApps!) {
      expect(copied.some((c) => c.includes(`/${app}/dist /app/${app}/dist`))).toBe(true);
      expect(copied.some((c) => c.includes(`/${app}/node_modules /app/${app}/node_modules`))).toBe(
        true,
      );
    }
    // The scripts the entry point and health check run are copied too.
    const scripts = copies.map((c) => c.args).join(' ');
    for (const script of [...entrypoint.matchAll(/\/app\/docker\/([\w.-]+)/g)].map((m) => m[1]!))
      expect(scripts).toContain(`docker/${script}`);
  });

  it('.dockerignore keeps dependencies, builds, local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '**/dist', '**/var', '.git', '.env', '**/.turbo'])
      expect(ignored).toContain(entry);
    expect(ignored).not.toContain('pnpm-lock.yaml');
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
  container_name?: string;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
/** Services that run the so-connector image (everything but Redis). */
const appServices = Object.entries(services).filter(([name]) => name !== 'redis');
/** The app a service starts: the entry point's first argument. */
const appOf = (s: Service) =>
  s.entrypoint?.[0] === 'sh' ? s.entrypoint[2] : (s.command ?? ['receiver'])[0];

describe('docker-compose.yml', () => {
  it('runs Redis 7 with AOF on, noeviction and its data on a named volume', () => {
    const redis = services.redis!;
    expect(withDefaults(redis.image!)).toMatch(/^redis:7(\.|-|$)/);
    const command = redis.command!.join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    const [volume, target] = redis.volumes![0]!.split(':');
    expect(target).toBe('/data');
    expect(compose.volumes).toHaveProperty([volume!]);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports).toBeUndefined();
  });

  it('every app service runs the same image built from the Dockerfile, with .env as its env_file', () => {
    expect(appServices.map(([name]) => name)).toEqual(
      expect.arrayContaining(['receiver', 'worker', 'simulator']),
    );
    const [[, first]] = appServices as [[string, Service]];
    for (const [name, service] of appServices) {
      expect({ name, image: service.image, build: service.build }).toEqual({
        name,
        image: first.image,
        build: { context: '.', dockerfile: 'Dockerfile' },
      });
      expect(service.env_file).toEqual([{ path: '${SO_ENV_FILE:-.env}', required: false }]);
      expect(withDefaults(service.env_file![0]!.path)).toBe('.env');
      expect(entrypointCommands).toContain(appOf(service));
      expect(service.container_name).toBeUndefined();
    }
  });

  it('publishes the receiver port, keeps its spool on a volume and checks its health', () => {
    const receiver = services.receiver!;
    const env = receiver.environment!;
    expect(receiver.ports).toHaveLength(1);
    const published = withDefaults(receiver.ports![0]!).split(':');
    expect(published.at(-1)).toBe(env.PORT);
    expect(published.at(-2)).toMatch(/^\d+$/);
    const spool = receiver.volumes!.map((v) => v.split(':')).find(([, t]) => t === env.SPOOL_DIR);
    expect(spool).toBeDefined();
    expect(compose.volumes).toHaveProperty([spool![0]!]);
    expect(receiver.healthcheck?.test).toEqual(['CMD', 'node', '/app/docker/healthcheck.cjs']);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(receiver.depends_on?.redis).toEqual({ condition: 'service_healthy' });
  });

  it('lets the worker scale: no container_name, no published port, metrics port only exposed', () => {
    const worker = services.worker!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.expose).toEqual([worker.environment!.METRICS_PORT]);
    expect(worker.healthcheck?.test).toEqual(['CMD', 'node', '/app/docker/healthcheck.cjs']);
    expect(worker.environment!.REDIS_URL).toBe('redis://redis:6379');
    expect(worker.depends_on?.redis).toEqual({ condition: 'service_healthy' });
  });

  it('gives the receiver and worker restart policies and a stop grace above SHUTDOWN_TIMEOUT_MS', () => {
    for (const name of ['redis', 'receiver', 'worker']) {
      expect(services[name]!.restart).toBe('unless-stopped');
    }
    for (const name of ['receiver', 'worker']) {
      const service = services[name]!;
      const timeoutMs = Number(service.environment!.SHUTDOWN_TIMEOUT_MS);
      expect(timeoutMs).toBeGreaterThan(0);
      expect(durationMs(service.stop_grace_period!)).toBeGreaterThan(timeoutMs);
    }
  });

  it('puts the simulator and the one-shot demo in profile demo, and docker/demo.env points at them', () => {
    expect(services.simulator!.profiles).toEqual(['demo']);
    expect(services.demo!.profiles).toEqual(['demo']);
    expect(services.demo!.restart).toBe('no');
    // Services started by a plain `up` never wait for a service of a profile.
    for (const [name, service] of Object.entries(services)) {
      if (service.profiles) continue;
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect({ name, dependency, profiles: services[dependency]!.profiles }).toEqual({
          name,
          dependency,
          profiles: undefined,
        });
    }
    const demoEnv = Object.fromEntries(
      read('docker/demo.env')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>;
    // The file loads itself into the containers in place of .env.
    expect(demoEnv.SO_ENV_FILE).toBe('docker/demo.env');
    expect(demoEnv.WEBHOOK_SECRET).toMatch(/.{16,}/);
    // Its URLs name compose services at the ports those services listen on.
    for (const key of ['SO_TOKEN_URL', 'SO_API_BASE_URL', 'WEBHOOK_PUBLIC_URL']) {
      const url = new URL(demoEnv[key]!);
      const service = services[url.hostname];
      expect({ key, service: url.hostname, known: service !== undefined }).toEqual({
        key,
        service: url.hostname,
        known: true,
      });
      const port = service!.environment!.SIM_PORT ?? service!.environment!.PORT;
      expect(url.port).toBe(port);
    }
    expect(new URL(demoEnv.SO_API_BASE_URL!).pathname).toBe(
      `/online1/${demoEnv.SO_CONTEXT_IDENTIFIER}/api`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The helpers of scripts/docker-smoke.sh (the smoke itself needs a Docker engine: .ci/run).

describe('docker/smoke helpers', () => {
  const node = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'so-docker-smoke-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compose-run.mjs starts a service as docker-compose.yml declares it, on the ports it is given', () => {
    const envOut = join(dir, 'worker.env');
    const run = node(
      [
        'docker/smoke/compose-run.mjs',
        'worker',
        '--project',
        'so-smoke',
        '--env-out',
        envOut,
        '--port',
        'redis=16379',
        '--port',
        'simulator=14010',
        '--set',
        'METRICS_PORT=19464',
      ],
      { SO_ENV_FILE: 'docker/demo.env', SO_CONNECTOR_IMAGE: '' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const args = run.stdout.trimEnd().split('\n');
    const worker = services.worker!;
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(after('--network')).toBe('host');
    expect(args).toContain('--init');
    expect(after('--restart')).toBe(worker.restart);
    expect(Number(after('--stop-timeout')) * 1000).toBe(durationMs(worker.stop_grace_period!));
    expect(after('--health-cmd')).toBe(worker.healthcheck!.test.slice(1).join(' '));
    expect(after('--add-host')).toBe('redis:127.0.0.1');
    // The image (with the compose default) and the command come last.
    expect(args.slice(-2)).toEqual([withDefaults(worker.image!), ...worker.command!]);
    const env = readFileSync(envOut, 'utf8');
    expect(env).toContain('REDIS_URL=redis://redis:16379\n');
    expect(env).toContain('METRICS_PORT=19464\n');
    expect(env).toContain('SO_API_BASE_URL=http://simulator:14010/online1/Cust12345/api\n');
    expect(env).toContain(`SHUTDOWN_TIMEOUT_MS=${worker.environment!.SHUTDOWN_TIMEOUT_MS}\n`);
  });

  it('compose-run.mjs gives Redis its port and the receiver its spool volume', () => {
    const redis = node([
      'docker/smoke/compose-run.mjs',
      'redis',
      '--project',
      'so-smoke',
      '--env-out',
      join(dir, 'redis.env'),
      '--port',
      'redis=16379',
    ]);
    expect(redis.status).toBe(0);
    const redisArgs = redis.stdout.trimEnd().split('\n');
    expect(redisArgs.slice(-2)).toEqual(['--port', '16379']);
    expect(redisArgs).toContain('redis-cli -p 16379 ping');
    expect(redisArgs).toContain('so-smoke-redis-data:/data');
    const receiver = node([
      'docker/smoke/compose-run.mjs',
      'receiver',
      '--project',
      'so-smoke',
      '--env-out',
      join(dir, 'receiver.env'),
    ]);
    expect(receiver.status).toBe(0);
    expect(receiver.stdout).toContain('so-smoke-spool:/var/lib/so-connector/spool\n');
    const unknown = node([
      'docker/smoke/compose-run.mjs',
      'nope',
      '--project',
      'p',
      '--env-out',
      join(dir, 'x'),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('docker-compose.yml has no service nope');
  });

  it('lockfile-versions.mjs passes the lockfile own versions and names one that is not', () => {
    const lock = parse(read('pnpm-lock.yaml')) as { packages: Record<string, unknown> };
    const [scoped] = Object.keys(lock.packages).filter((k) => k.startsWith('@'));
    const [plain] = Object.keys(lock.packages).filter((k) => !k.startsWith('@'));
    const dirName = (key: string) => key.replace('/', '+');
    const good = join(dir, 'good.txt');
    writeFileSync(
      good,
      `/app/cli/node_modules/.pnpm:\n${dirName(scoped!)}_peer@1.0.0\n${dirName(plain!)}\n@so-connector+config@file+packages+config\nlock.yaml\nnode_modules\n`,
    );
    const ok = node(['docker/smoke/lockfile-versions.mjs', 'pnpm-lock.yaml', good]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('all 2 packages');
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, `${dirName(plain!)}\nzod@0.0.1-not-locked\n`);
    const drift = node(['docker/smoke/lockfile-versions.mjs', 'pnpm-lock.yaml', bad]);
    expect(drift.status).toBe(1);
    expect(drift.stderr).toContain('1 of 2 packages in the image are not the lockfile');
    expect(drift.stderr).toContain('zod@0.0.1-not-locked');
  });
});
