import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './load-config';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables of a dotenv file (`NAME=value` lines, `#` comments, quoted values), as Node's own
 * `--env-file` reads them (`util.parseEnv`).
 * @throws ConfigError naming the file when it cannot be read.
 */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`--env-file ${path}: cannot read it (${code})`, ['--env-file']);
  }
  const parsed = parseEnv(text);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) out[name] = value;
  return out;
}

/**
 * The environment with a file's variables added. A variable set in the process environment wins,
 * as with Node's `--env-file` and dotenv, so `LOG_LEVEL=debug so-connector --env-file f …` works.
 */
export function withEnvFile(env: Env, file: Readonly<Record<string, string>>): Env {
  const merged: Record<string, string | undefined> = { ...file };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;
  return merged;
}
