import { resolveEnvRefs } from './env-ref';

describe('resolveEnvRefs', () => {
  it('replaces env:NAME strings at any depth, in lists and mappings', () => {
    const doc = {
      tenants: [
        {
          contextIdentifier: 'Cust1',
          webhookSecrets: ['env:SECRET_NEW', 'literal-old'],
          provider: { type: 'company-explorer', apiKey: 'env:CE_KEY' },
          ownAssociateId: 'env:OWN_ID',
          udf: { vertical: 'SuperOffice:83' },
        },
      ],
    };
    const env = { SECRET_NEW: 's3cr3t-new', CE_KEY: 'ce-key-value', OWN_ID: '99' };
    expect(resolveEnvRefs(doc, env)).toEqual({
      value: {
        tenants: [
          {
            contextIdentifier: 'Cust1',
            webhookSecrets: ['s3cr3t-new', 'literal-old'],
            provider: { type: 'company-explorer', apiKey: 'ce-key-value' },
            ownAssociateId: '99',
            udf: { vertical: 'SuperOffice:83' },
          },
        ],
      },
      problems: [],
    });
  });

  it('leaves numbers, booleans, null and strings that merely contain "env:" alone', () => {
    const doc = { a: 1, b: true, c: null, d: 'not env:X', e: 'ENV:X' };
    expect(resolveEnvRefs(doc, { X: 'x' })).toEqual({ value: doc, problems: [] });
  });

  it('reports an unset or blank variable at its path without echoing any value', () => {
    const doc = { tenants: [{ refreshToken: 'env:MISSING', webhookSecrets: ['env:BLANK'] }] };
    expect(resolveEnvRefs(doc, { BLANK: '  ' }).problems).toEqual([
      { path: ['tenants', 0, 'refreshToken'], message: 'refers to env:MISSING, which is not set' },
      {
        path: ['tenants', 0, 'webhookSecrets', 0],
        message: 'refers to env:BLANK, which is not set',
      },
    ]);
  });

  it('reports a malformed variable name', () => {
    expect(resolveEnvRefs({ k: 'env:9 lives' }, {}).problems).toEqual([
      { path: ['k'], message: '"env:" must be followed by a variable name' },
    ]);
  });
});
