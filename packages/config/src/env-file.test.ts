import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvFile, withEnvFile } from './env-file';
import { ConfigError } from './load-config';

describe('readEnvFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'so-env-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads NAME=value lines, skipping comments, with quoted values and = inside values', () => {
    const path = join(dir, '.env.demo');
    writeFileSync(
      path,
      [
        '# written by npm run demo',
        'REDIS_URL=redis://127.0.0.1:6390',
        'WEBHOOK_SECRET=abc+/def==',
        'SUMMARY="two words"',
        '',
      ].join('\n'),
    );
    expect(readEnvFile(path)).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6390',
      WEBHOOK_SECRET: 'abc+/def==',
      SUMMARY: 'two words',
    });
  });

  it('names the file in a ConfigError when it cannot be read', () => {
    const path = join(dir, 'missing.env');
    expect(() => readEnvFile(path)).toThrow(ConfigError);
    expect(() => readEnvFile(path)).toThrow(`--env-file ${path}: cannot read it (ENOENT)`);
  });
});

describe('withEnvFile', () => {
  it('adds the file variables; the process environment wins where both set one', () => {
    const env = withEnvFile(
      { LOG_LEVEL: 'debug', PATH: '/bin', UNSET: undefined },
      { LOG_LEVEL: 'info', REDIS_URL: 'redis://x:1', UNSET: 'from-file' },
    );
    expect(env).toEqual({
      LOG_LEVEL: 'debug',
      PATH: '/bin',
      REDIS_URL: 'redis://x:1',
      UNSET: 'from-file',
    });
  });
});
