import { parseTenantDefinition, parseTenantDocument, TenantDefinitionError } from './index';

const env = { CUST7_REFRESH_TOKEN: 'rt-from-env' };
const options = { source: 'tenant.yaml', env, defaults: { environment: 'sod' as const } };

function thrown(fn: () => unknown): TenantDefinitionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TenantDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a TenantDefinitionError');
}

describe('parseTenantDefinition', () => {
  it('reads one TENANTS_FILE entry written as YAML, resolving env: references', () => {
    const sut = parseTenantDefinition(
      [
        'contextIdentifier: Cust7',
        'webhookSecrets: [whsec-1]',
        'refreshToken: env:CUST7_REFRESH_TOKEN',
        'udf: { vertical: "SuperOffice:83" }',
      ].join('\n'),
      options,
    );
    expect(sut).toMatchObject({
      contextIdentifier: 'Cust7',
      webhookSecrets: ['whsec-1'],
      credentials: { kind: 'refresh-token', refreshToken: 'rt-from-env' },
      environment: 'sod',
      udf: { vertical: 'SuperOffice:83' },
      provider: { provider: 'builtin' },
    });
  });

  it('takes an already built mapping (command-line flags) by the same rules', () => {
    const error = thrown(() =>
      parseTenantDefinition(
        { contextIdentifier: 'Cust7', refresh_token: 'secret-value', udf: {} },
        { source: 'the command line', env },
      ),
    );
    expect(error.message).toBe(
      '[tenants] invalid tenant (the command line): tenant Cust7, key refresh_token: is not a known key; tenant Cust7, key webhookSecrets: is required unless webhookToken is set; tenant Cust7, key refreshToken: is required (or systemUserToken); tenant Cust7, key udf: set at least one of vertical, summary, opener, personOpener',
    );
    expect(error.message).not.toContain('secret-value');
  });

  it.each([
    ['a list', '- contextIdentifier: Cust7', 'expected one tenant: a mapping of tenant keys'],
    ['broken YAML', 'contextIdentifier: [Cust7', 'not valid YAML or JSON at line'],
  ])('refuses %s in one line', (_what, text, message) => {
    expect(thrown(() => parseTenantDefinition(text, options)).message).toContain(message);
  });

  it('parses the text alone, unchecked, for the caller to complete', () => {
    expect(parseTenantDocument('{"contextIdentifier": "Cust7"}', 'tenant.json')).toEqual({
      contextIdentifier: 'Cust7',
    });
    expect(() => parseTenantDocument('a: [', 'tenant.json')).toThrow(
      /^\[tenants\] invalid tenant \(tenant.json\): not valid YAML or JSON at line/,
    );
  });
});
