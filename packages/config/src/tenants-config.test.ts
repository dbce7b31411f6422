import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  decodeSecretsKey,
  inspectCliConfig,
  loadCliConfig,
  loadReceiverConfig,
  loadWorkerConfig,
} from './index';

const receiver = { SO_CONTEXT_IDENTIFIER: 'Cust12345', WEBHOOK_SECRET: 'current-secret-value' };
const worker = {
  SO_CONTEXT_IDENTIFIER: 'Cust12345',
  SO_CLIENT_ID: 'app-id',
  SO_CLIENT_SECRET: 'app-secret-value',
  SO_REFRESH_TOKEN: 'refresh-token-value',
  SO_UDF_VERTICAL: 'SuperOffice:83',
};
const loaders = [
  ['receiver', (env: Record<string, string>) => loadReceiverConfig({ ...receiver, ...env })],
  ['worker', (env: Record<string, string>) => loadWorkerConfig({ ...worker, ...env })],
  ['cli', (env: Record<string, string>) => loadCliConfig({ ...worker, ...env })],
] as const;

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

let dir: string;
const keys: Record<string, string> = {};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'so-config-keys-'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const files = {
    pkcs1: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }),
    pkcs8: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    public: rsa.publicKey.export({ type: 'spki', format: 'pem' }),
    ec: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    encrypted: rsa.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'passphrase',
    }),
    garbage: 'not a key at all: secret-looking-content',
  };
  for (const [name, text] of Object.entries(files)) {
    keys[name] = join(dir, `${name}.pem`);
    writeFileSync(keys[name], text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hexKey = randomBytes(32).toString('hex');

describe.each(loaders)('the %s configuration', (_name, load) => {
  it('has no tenants file, secrets key or app key by default', () => {
    const sut = load({});
    expect(sut.tenants).toEqual({ file: undefined, secretsKey: undefined });
    expect(sut.appPrivateKeyFile).toBeUndefined();
  });

  it('reads TENANTS_FILE, TENANT_SECRETS_KEY and SO_APP_PRIVATE_KEY_FILE', () => {
    const sut = load({
      TENANTS_FILE: '/etc/so/tenants.yaml',
      TENANT_SECRETS_KEY: ` ${hexKey} `,
      SO_APP_PRIVATE_KEY_FILE: keys.pkcs1!,
    });
    expect(sut.tenants).toEqual({ file: '/etc/so/tenants.yaml', secretsKey: hexKey });
    expect(sut.appPrivateKeyFile).toBe(keys.pkcs1);
    // The environment's one tenant stays exactly as before.
    expect(sut.tenant).toEqual({ contextIdentifier: 'Cust12345' });
  });

  it('stops on a malformed TENANT_SECRETS_KEY with one line that never shows the value', () => {
    const value = randomBytes(16).toString('hex');
    const error = thrown(() => load({ TENANT_SECRETS_KEY: value }));
    expect(error.variables).toEqual(['TENANT_SECRETS_KEY']);
    expect(error.message).toBe(
      'invalid configuration: TENANT_SECRETS_KEY must be 32 bytes written as 64 hex digits or base64 (e.g. `openssl rand -base64 32`); it decodes to 24 bytes',
    );
    expect(error.message).not.toContain(value);
  });

  it.each([
    ['missing', '/nonexistent/app.pem', 'cannot be read (ENOENT)'],
    ['a public key', 'public', 'is not a PEM private key'],
    ['not a key', 'garbage', 'is not a PEM private key'],
    ['an EC key', 'ec', 'holds a key of type ec: system-user sign-in needs the app'],
    ['encrypted', 'encrypted', 'is encrypted with a passphrase'],
  ])('stops on an app key file that is %s, naming the variable', (_what, file, message) => {
    const error = thrown(() => load({ SO_APP_PRIVATE_KEY_FILE: keys[file] ?? file }));
    expect(error.variables).toEqual(['SO_APP_PRIVATE_KEY_FILE']);
    expect(error.message).toContain(`SO_APP_PRIVATE_KEY_FILE ${message}`);
    expect(error.message).not.toContain('secret-looking-content');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('accepts a PKCS#8 RSA key too', () => {
    expect(load({ SO_APP_PRIVATE_KEY_FILE: keys.pkcs8! }).appPrivateKeyFile).toBe(keys.pkcs8);
  });
});

describe('decodeSecretsKey', () => {
  const key = randomBytes(32);
  it.each([
    ['hex', key.toString('hex')],
    ['base64', key.toString('base64')],
    ['base64url without padding', key.toString('base64url')],
  ])('reads %s', (_form, text) => {
    const sut = decodeSecretsKey(text);
    expect(sut.ok && sut.key.equals(key)).toBe(true);
  });

  it.each([
    ['too short', randomBytes(31).toString('base64'), '; it decodes to 31 bytes'],
    ['not hex or base64', 'ä'.repeat(44), ''],
  ])('refuses a key that is %s', (_what, text, tail) => {
    expect(decodeSecretsKey(text)).toEqual({
      ok: false,
      reason: `must be 32 bytes written as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\`)${tail}`,
    });
  });
});

describe('the CLI without SO_CONTEXT_IDENTIFIER', () => {
  it('still requires it when tenants can come from nowhere else', () => {
    const error = thrown(() => loadCliConfig({}));
    expect(error.variables).toEqual(['SO_CONTEXT_IDENTIFIER']);
  });

  it.each([
    ['TENANTS_FILE', '/etc/so/tenants.yaml'],
    ['TENANT_SECRETS_KEY', hexKey],
  ])('does without it when %s is set (tenants are picked with --tenant)', (variable, value) => {
    const sut = loadCliConfig({ [variable]: value });
    expect(sut.tenant).toBeUndefined();
    // The receiver and the worker do without it too: doctor has nothing to say about it.
    expect(sut.workerProblems).toEqual([]);
  });

  it("offers the app identity alone, for another source's tenant", () => {
    const { SO_REFRESH_TOKEN: _omitted, ...app } = worker;
    const sut = inspectCliConfig({ ...app, SO_ENVIRONMENT: 'mars' }).config!;
    expect(sut.superoffice.ok).toBe(false);
    expect(sut.app).toEqual({
      ok: true,
      value: {
        clientId: 'app-id',
        clientSecret: 'app-secret-value',
        redirectUri: undefined,
        udfWriteMode: 'json-patch',
        rateLimitPerSecond: 10,
        ownAssociateRefreshMs: 3_600_000,
      },
    });
    expect(sut.superofficeEnvironment).toBe('online');
  });
});
