import { createAdminRedactor, REDACTED, redactText } from './redact';

describe('redactText', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.abc.def failed', 'Bearer eyJhbGciOi'],
    ['request failed: Bearer 8f7a6c5d4e3b2a19', '8f7a6c5d4e3b2a19'],
    ['header was Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['GET https://x.test/hook?token=abc123XYZ&x=1', 'abc123XYZ'],
    ['body {"client_secret":"s3cr3t-value"} rejected', 's3cr3t-value'],
    ['api_key: k-998877 is invalid', 'k-998877'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz leaked', 'eyJhbGciOiJIUzI1NiJ9'],
  ])('removes the credential from %j', (text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps the scheme readable when a header is quoted whole', () => {
    expect(redactText('Authorization: Bearer abc123def456')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactText('X-SuperOffice-Signature: q83vEjRWeJA=')).toBe(
      'X-SuperOffice-Signature: [REDACTED]',
    );
  });

  it('keeps ordinary messages intact', () => {
    const text = 'PATCH /api/v1/Contact/42 answered 409 Conflict (record changed)';
    expect(redactText(text)).toBe(text);
  });
});

describe('createAdminRedactor', () => {
  const redact = createAdminRedactor(['the-webhook-secret-0123']);

  it('hides values under sensitive keys at any depth, whatever their type', () => {
    const out = redact({
      tenant: 'Cust1',
      event: {
        FieldValues: { name: 'Acme', apiKey: 'k1', nested: [{ password: 'p' }] },
        Signature: 'sig',
      },
      accessToken: { value: 'x' },
      Authorization: 'Bearer abc',
      sessionId: 7,
    });
    expect(out).toEqual({
      tenant: 'Cust1',
      event: {
        FieldValues: { name: 'Acme', apiKey: REDACTED, nested: [{ password: REDACTED }] },
        Signature: REDACTED,
      },
      accessToken: REDACTED,
      Authorization: REDACTED,
      sessionId: REDACTED,
    });
  });

  it('redacts credentials inside string values, and the process’s own secrets anywhere', () => {
    const out = redact({
      note: 'called with Bearer abcdefgh12345',
      url: 'redis://user:pw-in-url@host:6379',
      echo: 'got the-webhook-secret-0123 back',
      list: ['ok', 'token=zzz999'],
    }) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toContain('abcdefgh12345');
    expect(text).not.toContain('pw-in-url');
    expect(text).not.toContain('the-webhook-secret-0123');
    expect(text).not.toContain('zzz999');
    expect(out.list).toEqual(['ok', `token=${REDACTED}`]);
  });

  it('passes other values through unchanged and does not modify its input', () => {
    const input = { n: 1, b: true, nil: null, s: 'Acme AS', a: [1, 'two'], signatureOk: undefined };
    const before = JSON.stringify(input);
    expect(redact({ n: 1, b: true, nil: null, s: 'Acme AS', a: [1, 'two'] })).toEqual({
      n: 1,
      b: true,
      nil: null,
      s: 'Acme AS',
      a: [1, 'two'],
    });
    redact(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(redact('plain')).toBe('plain');
    expect(redact(undefined)).toBeUndefined();
  });
});
