// scripts/docker-smoke.sh without Docker Compose: prints the `docker run` arguments (one a line)
// that start one service of docker-compose.yml as the file declares it: its image, command,
// entrypoint, environment (env_file, then environment), named volumes, init, restart policy,
// stop grace period and health check. The containers share the host's network (the smoke's
// engine runs without a bridge), so the only changes are ports: each service listens on a free
// port the script picked, and `redis:6379`-style addresses in the environment point at it.
//   node docker/smoke/compose-run.mjs <service> --project so-smoke --env-out <file>
//        [--port redis=16379 --port receiver=13000 ...] [--set NAME=value ...] [-- extra args]
// ${VAR:-default} in the compose file takes VAR from this process's environment, as Compose does.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function fail(message) {
  process.stderr.write(`compose-run: ${message}\n`);
  process.exit(2);
}

/** `${VAR:-default}`, `${VAR-default}` and `${VAR}` as Compose interpolates them. */
const interpolate = (value) =>
  String(value).replace(/\$\{([A-Za-z0-9_]+)(?:(:?)-([^}]*))?\}/g, (_m, name, colon, fallback) => {
    const set = process.env[name];
    if (set !== undefined && !(colon === ':' && set === '')) return set;
    return fallback ?? '';
  });

/** Compose durations (`15s`, `1m30s`) in whole seconds. */
function seconds(value) {
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, n, u] of String(value).matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    total += Number(n) * unit[u];
  return Math.ceil(total);
}

/** KEY=VALUE lines of an env file (comments and blank lines skipped), as Compose reads them. */
function readEnvFile(path) {
  const env = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

const argv = process.argv.slice(2);
const service = argv.shift();
const options = { ports: {}, set: {}, extra: [] };
while (argv.length > 0) {
  const flag = argv.shift();
  if (flag === '--') {
    options.extra = argv.splice(0);
  } else if (flag === '--project' || flag === '--env-out') {
    options[flag.slice(2)] = argv.shift();
  } else if (flag === '--port' || flag === '--set') {
    const [key, ...rest] = (argv.shift() ?? '').split('=');
    (flag === '--port' ? options.ports : options.set)[key] = rest.join('=');
  } else fail(`unknown argument ${flag}`);
}
if (!service || !options.project || !options['env-out']) fail('usage: see the header of this file');

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const spec = compose.services?.[service];
if (!spec) fail(`docker-compose.yml has no service ${service}`);

// The container port each service listens on in the compose network, and where it listens here.
const containerPort = { redis: '6379' };
for (const [name, s] of Object.entries(compose.services))
  for (const mapping of s.ports ?? []) containerPort[name] = interpolate(mapping).split(':').at(-1);
const rewrite = (value) =>
  Object.entries(options.ports).reduce(
    (text, [name, port]) =>
      text.replaceAll(
        `${name}:${containerPort[name] ?? fail(`no port known for ${name}`)}`,
        `${name}:${port}`,
      ),
    value,
  );

const args = ['--network', 'host'];
for (const name of Object.keys(options.ports)) args.push('--add-host', `${name}:127.0.0.1`);
if (spec.init) args.push('--init');
if (spec.restart) args.push('--restart', spec.restart);
if (spec.user) args.push('--user', String(spec.user));
args.push('--stop-timeout', String(seconds(spec.stop_grace_period ?? '10s')));

// Environment: the env files in order, then `environment`, then the smoke's --set.
const env = {};
for (const entry of spec.env_file ?? []) {
  const { path, required = true } = typeof entry === 'string' ? { path: entry } : entry;
  const file = join(root, interpolate(path));
  if (existsSync(file)) Object.assign(env, readEnvFile(file));
  else if (required) fail(`env_file ${file} does not exist`);
}
const environment = Array.isArray(spec.environment)
  ? Object.fromEntries(spec.environment.map((e) => e.split(/=(.*)/s).slice(0, 2)))
  : (spec.environment ?? {});
for (const [key, value] of Object.entries(environment)) env[key] = interpolate(value ?? '');
Object.assign(env, options.set);
const lines = Object.entries(env).map(([key, value]) => `${key}=${rewrite(value)}`);
writeFileSync(options['env-out'], `${lines.join('\n')}\n`, { mode: 0o600 });
args.push('--env-file', options['env-out']);

for (const volume of spec.volumes ?? []) {
  const [source, target, mode] = interpolate(volume).split(':');
  const named = Object.hasOwn(compose.volumes ?? {}, source);
  args.push(
    '--volume',
    [named ? `${options.project}-${source}` : resolve(root, source), target, mode]
      .filter(Boolean)
      .join(':'),
  );
}

// Redis is the one service whose listening port is on its command line.
const redisPort = service === 'redis' ? options.ports.redis : undefined;
const health = spec.healthcheck;
if (health && !health.disable) {
  const [kind, ...test] =
    typeof health.test === 'string' ? ['CMD-SHELL', health.test] : health.test;
  if (redisPort && test[0] === 'redis-cli') test.splice(1, 0, '-p', redisPort);
  if (kind !== 'CMD' && kind !== 'CMD-SHELL') fail(`unsupported healthcheck ${kind}`);
  args.push('--health-cmd', test.join(' '));
  if (health.interval) args.push('--health-interval', health.interval);
  if (health.timeout) args.push('--health-timeout', health.timeout);
  if (health.start_period) args.push('--health-start-period', health.start_period);
  if (health.retries !== undefined) args.push('--health-retries', String(health.retries));
}

const toList = (value) =>
  value === undefined ? [] : Array.isArray(value) ? value : String(value).split(/\s+/);
const entrypoint = toList(spec.entrypoint).map(interpolate);
if (entrypoint.length > 0) args.push('--entrypoint', entrypoint[0]);
args.push(interpolate(spec.image));
const command = [
  ...entrypoint.slice(1),
  ...(options.extra.length > 0 ? options.extra : toList(spec.command).map(interpolate)),
];
if (redisPort) command.push('--port', redisPort);
args.push(...command);

for (const arg of args) {
  if (arg.includes('\n')) fail(`argument with a newline: ${JSON.stringify(arg)}`);
  process.stdout.write(`${arg}\n`);
}
