import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { TenantRegistry, TenantSecretsError, TenantStore, type TenantConfig } from '../src';
import { aTenant } from './builders';

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  client.disconnect();
  await redis.cleanup();
});

const key = randomBytes(32);
let n = 0;
const uniquePrefix = () => `${redis.prefix}-${++n}`;

function onboarded(contextIdentifier: string, secretSuffix: string): TenantConfig {
  return aTenant(contextIdentifier, {
    webhookSecrets: [`whsec-${secretSuffix}-new`, `whsec-${secretSuffix}-old`],
    webhookToken: `legacy-${secretSuffix}`,
    credentials: { kind: 'refresh-token', refreshToken: `rt-${secretSuffix}` },
    apiBaseUrl: `https://online2.superoffice.com/${contextIdentifier}/api`,
    budget: { providerCallsPerHour: 100, superofficeCallsPerMinute: undefined },
    provider: {
      provider: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      apiKey: `sk-${secretSuffix}`,
      model: 'gpt-4o-mini',
      timeoutMs: 30_000,
    },
  });
}

const secretsOf = (t: TenantConfig) => [
  ...t.webhookSecrets,
  t.webhookToken!,
  t.credentials?.kind === 'refresh-token' ? t.credentials.refreshToken : '',
  t.provider.provider === 'openai' ? t.provider.apiKey : '',
];

/** Every key under `prefix` with its whole content, whatever its type. */
async function dumpKeys(prefix: string): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const k of keys) {
      const type = await client.type(k);
      const content =
        type === 'hash'
          ? await client.hgetall(k)
          : type === 'string'
            ? await client.get(k)
            : type === 'list'
              ? await client.lrange(k, 0, -1)
              : type === 'set'
                ? await client.smembers(k)
                : type === 'zset'
                  ? await client.zrange(k, 0, -1)
                  : `unexpected type ${type}`;
      dump[k] = JSON.stringify(content);
    }
  } while (cursor !== '0');
  return dump;
}

describe('TenantStore (real Redis)', () => {
  it('stores tenants with no secret in clear text and reads them back', async () => {
    const prefix = uniquePrefix();
    const sut = new TenantStore({ redis: client, prefix, secretsKey: key });
    const a = onboarded('Cust100', 'a7f3');
    const b = onboarded('Cust200', 'b9e1');
    await sut.put(a);
    await sut.put(b);

    const dump = await dumpKeys(prefix);
    expect(Object.keys(dump)).toEqual([`${prefix}:tenants`]);
    const everything = Object.values(dump).join('\n');
    expect(everything).toContain('Cust100');
    for (const secret of [...secretsOf(a), ...secretsOf(b)]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString('base64'));
      expect(everything).not.toContain(Buffer.from(secret).toString('hex'));
    }

    expect(await sut.load()).toEqual({ version: 2, tenants: [a, b] });
    expect(await sut.remove('Cust100')).toBe(true);
    expect(await sut.remove('Cust100')).toBe(false);
    expect(await sut.load()).toEqual({ version: 4, tenants: [b] });
  });

  it('reads one tenant by its id (undefined when none is stored), decrypted', async () => {
    const prefix = uniquePrefix();
    const sut = new TenantStore({ redis: client, prefix, secretsKey: key });
    const a = onboarded('Cust300', 'c3d4');
    await sut.put(a);
    expect(await sut.get('Cust300')).toEqual(a);
    expect(await sut.get('Cust301')).toBeUndefined();
    expect(await sut.get(':version')).toBeUndefined();
    const wrong = new TenantStore({ redis: client, prefix, secretsKey: randomBytes(32) });
    await expect(wrong.get('Cust300')).rejects.toThrow(/another TENANT_SECRETS_KEY/);
  });

  it('names a wrong key as such, and a registry refuses to start with it', async () => {
    const prefix = uniquePrefix();
    await new TenantStore({ redis: client, prefix, secretsKey: key }).put(onboarded('Cust1', 'c1'));
    const wrong = new TenantStore({ redis: client, prefix, secretsKey: randomBytes(32) });
    await expect(wrong.load()).rejects.toMatchObject({
      name: 'TenantSecretsError',
      code: 'wrong-key',
      message: expect.stringMatching(
        /^\[tenants\] tenant Cust1 webhookSecrets\[0\]: encrypted under another TENANT_SECRETS_KEY \(key id [0-9a-f]{12}, the configured key is [0-9a-f]{12}\)$/,
      ),
    });
    await expect(TenantRegistry.create({ store: { store: wrong } })).rejects.toBeInstanceOf(
      TenantSecretsError,
    );
  });

  it('refuses to start with stored tenants and no key, and to store without one', async () => {
    const prefix = uniquePrefix();
    const keyless = new TenantStore({ redis: client, prefix, secretsKey: undefined });
    // Nothing stored yet: a deployment without onboarding needs no key.
    const empty = await TenantRegistry.create({ store: { store: keyless } });
    expect(empty.list()).toEqual([]);
    await empty.close();

    await expect(keyless.put(onboarded('Cust1', 'c1'))).rejects.toMatchObject({
      code: 'missing-key',
      message:
        '[tenants] TENANT_SECRETS_KEY is not set: an onboarded tenant is stored encrypted with it',
    });
    await new TenantStore({ redis: client, prefix, secretsKey: key }).put(onboarded('Cust1', 'c1'));
    await expect(TenantRegistry.create({ store: { store: keyless } })).rejects.toMatchObject({
      code: 'missing-key',
      message: `[tenants] TENANT_SECRETS_KEY is not set: 1 onboarded tenant(s) are stored encrypted in Redis (${prefix}:tenants); set the key they were stored with`,
    });
  });

  it('detects a stored value altered in Redis', async () => {
    const prefix = uniquePrefix();
    const sut = new TenantStore({ redis: client, prefix, secretsKey: key });
    await sut.put(onboarded('Cust1', 'c1'));
    const record = JSON.parse((await client.hget(sut.key, 'Cust1'))!) as {
      tenant: { credentials: { refreshToken: string } };
    };
    const parts = record.tenant.credentials.refreshToken.split(':');
    parts[5] = Buffer.from('rt-attacker').toString('base64');
    record.tenant.credentials.refreshToken = parts.join(':');
    await client.hset(sut.key, 'Cust1', JSON.stringify(record));
    await expect(sut.load()).rejects.toMatchObject({
      code: 'tampered',
      message:
        '[tenants] tenant Cust1 credentials.refreshToken: authentication failed (the stored value was altered)',
    });
  });
});
