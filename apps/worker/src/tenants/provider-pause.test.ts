import { providerCredentialId } from './provider-pause';

describe('providerCredentialId', () => {
  const explorer = {
    provider: 'company-explorer',
    baseUrl: 'https://ce.example.com',
    apiKey: 'ce-secret-key-123456',
    timeoutMs: 30_000,
  } as const;

  it('is the same for the same type, URL and key, whatever the timeout or model', () => {
    const id = providerCredentialId(explorer);
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(providerCredentialId({ ...explorer, timeoutMs: 5000 })).toBe(id);
    expect(id).not.toContain('ce-secret');
  });

  it('differs with another key, URL or type, and is none for builtin', () => {
    const id = providerCredentialId(explorer);
    expect(providerCredentialId({ ...explorer, apiKey: 'another-key-987654' })).not.toBe(id);
    expect(providerCredentialId({ ...explorer, baseUrl: 'https://other.example.com' })).not.toBe(
      id,
    );
    expect(
      providerCredentialId({ ...explorer, provider: 'openai', model: 'gpt-4o-mini' }),
    ).not.toBe(id);
    expect(providerCredentialId({ provider: 'builtin' })).toBeUndefined();
  });
});
