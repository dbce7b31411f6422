import { onboardingConfigFromEnv } from './onboarding-settings';

const KEY = Buffer.alloc(32, 7).toString('base64');
const BASE = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  SO_CONTEXT_IDENTIFIER: 'Cust1',
  SO_CLIENT_ID: 'app',
  SO_CLIENT_SECRET: 'app-secret',
  SO_REDIRECT_URI: 'https://so.example.com/oauth/callback',
  SO_ENVIRONMENT: 'sod',
  TENANT_SECRETS_KEY: KEY,
};

describe('onboardingConfigFromEnv', () => {
  it('reads the app identity, the environment’s endpoints, the public base and the key', () => {
    const config = onboardingConfigFromEnv(BASE);
    if (!config.ok) throw new Error(config.problems.join('; '));
    expect(config.value).toMatchObject({
      clientId: 'app',
      clientSecret: 'app-secret',
      redirectUri: 'https://so.example.com/oauth/callback',
      environment: 'sod',
      tokenUrlOverride: undefined,
      endpoints: {
        authorizeUrl: 'https://sod.superoffice.com/login/common/oauth/authorize',
        issuer: 'https://sod.superoffice.com',
      },
      address: { base: 'https://so.example.com' },
      provider: { provider: 'builtin' },
    });
    expect(config.value.secretsKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('puts the endpoints on the host of SO_TOKEN_URL (the simulator)', () => {
    const config = onboardingConfigFromEnv({
      ...BASE,
      SO_TOKEN_URL: 'http://127.0.0.1:4000/login/common/oauth/tokens',
    });
    expect(config).toMatchObject({
      ok: true,
      value: {
        tokenUrlOverride: 'http://127.0.0.1:4000/login/common/oauth/tokens',
        endpoints: {
          jwksUrl: 'http://127.0.0.1:4000/login/.well-known/jwks',
          issuer: 'http://127.0.0.1:4000',
        },
      },
    });
  });

  it('is available without TENANT_SECRETS_KEY (the pages then refuse, saying why)', () => {
    const { TENANT_SECRETS_KEY: _k, ...env } = BASE;
    expect(onboardingConfigFromEnv(env)).toMatchObject({
      ok: true,
      value: { secretsKey: undefined },
    });
  });

  it('names every missing or wrong variable, never a secret value', () => {
    const config = onboardingConfigFromEnv({
      ...BASE,
      SO_CLIENT_SECRET: undefined,
      SO_REDIRECT_URI: 'https://so.example.com/callback',
      TENANT_SECRETS_KEY: 'short-secret-value',
    });
    expect(config.ok).toBe(false);
    if (config.ok) return;
    const text = config.problems.join('\n');
    expect(text).toMatch(/SO_CLIENT_SECRET/);
    expect(text).toMatch(/SO_REDIRECT_URI must end in \/oauth\/callback/);
    expect(text).toMatch(/TENANT_SECRETS_KEY/);
    expect(text).not.toContain('short-secret-value');
  });

  it('needs SO_REDIRECT_URI', () => {
    const config = onboardingConfigFromEnv({ ...BASE, SO_REDIRECT_URI: undefined });
    expect(config).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^SO_REDIRECT_URI is required/)],
    });
  });
});
