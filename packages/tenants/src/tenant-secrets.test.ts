import { tenantSecretValues } from './tenant-secrets';
import { aTenant } from './testing';

describe('tenantSecretValues', () => {
  it('lists every secret of a tenant: webhook secrets and token, its credential, its provider key', () => {
    expect(
      tenantSecretValues(
        aTenant('Cust1', {
          webhookSecrets: ['new-secret', 'old-secret'],
          webhookToken: 'legacy-token',
          credentials: { kind: 'system-user', systemUserToken: 'system-token' },
          provider: {
            provider: 'openai',
            baseUrl: 'https://x',
            apiKey: 'sk-key',
            model: 'm',
            timeoutMs: 1000,
          },
        }),
      ).sort(),
    ).toEqual(['legacy-token', 'new-secret', 'old-secret', 'sk-key', 'system-token']);
    expect(tenantSecretValues(aTenant('Cust2'))).toEqual(['whsec-Cust2', 'rt-Cust2']);
  });
});
