import type { TenantConfig } from '@so-connector/tenants';
import { aTenant } from '@so-connector/tenants/testing';
import { credentialPrint } from './reconsent-store';

const tenant = (credentials: TenantConfig['credentials']): TenantConfig =>
  aTenant('Cust1', { webhookSecrets: ['s'], credentials });

describe('credentialPrint', () => {
  it('is the same for the same credential and differs for another one or another kind', () => {
    const a = credentialPrint(tenant({ kind: 'refresh-token', refreshToken: 'rt-1' }));
    expect(credentialPrint(tenant({ kind: 'refresh-token', refreshToken: 'rt-1' }))).toBe(a);
    expect(credentialPrint(tenant({ kind: 'refresh-token', refreshToken: 'rt-2' }))).not.toBe(a);
    expect(credentialPrint(tenant({ kind: 'system-user', systemUserToken: 'rt-1' }))).not.toBe(a);
    expect(credentialPrint(tenant(undefined))).not.toBe(a);
  });

  it('is 16 hex digits that do not contain the credential', () => {
    const print = credentialPrint(tenant({ kind: 'refresh-token', refreshToken: 'abcdef0123' }));
    expect(print).toMatch(/^[0-9a-f]{16}$/);
    expect(print).not.toContain('abcdef0123');
  });
});
