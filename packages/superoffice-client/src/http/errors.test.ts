import { kindForStatus, parseRetryAfter, SuperOfficeError } from './errors';
import { redactUrl } from './redact';

describe('kindForStatus', () => {
  it.each([
    [undefined, 'retryable'],
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [421, 'retryable'],
    [409, 'conflict'],
    [412, 'conflict'],
    [404, 'not-found'],
    [401, 'auth'],
    [400, 'permanent'],
    [403, 'permanent'],
  ] as const)('%s → %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('SuperOfficeError', () => {
  it('carries SuperOffice error fields and never a secret from the URL', () => {
    const sut = new SuperOfficeError({
      status: 404,
      method: 'GET',
      url: 'https://sod.superoffice.com/Cust1/api/v1/Contact/9?access_token=8A:Cust1.secret',
      errorType: 'SoNotFoundException',
      errorMessage: 'Contact id 9 not found',
      requestId: 'req-1',
    });
    expect(sut.message).toBe(
      '[superoffice-client] GET https://sod.superoffice.com/Cust1/api/v1/Contact/9?access_token=REDACTED failed: HTTP 404 (Contact id 9 not found)',
    );
    expect(sut).toMatchObject({
      status: 404,
      errorType: 'SoNotFoundException',
      requestId: 'req-1',
      kind: 'not-found',
      retryable: false,
      conflict: false,
    });
    expect(JSON.stringify(sut)).not.toContain('8A:Cust1.secret');
  });

  it('is retryable for network errors', () => {
    const sut = new SuperOfficeError({
      status: undefined,
      method: 'GET',
      url: 'http://x/',
      cause: new Error('ECONNREFUSED'),
    });
    expect(sut.retryable).toBe(true);
    expect(sut.message).toContain('network error (ECONNREFUSED)');
  });

  it('is a conflict for 409 and 412', () => {
    expect(new SuperOfficeError({ status: 412, method: 'PATCH', url: 'http://x/' }).conflict).toBe(
      true,
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('redacts secret query parameters and passwords', () => {
    expect(redactUrl('https://u:pw@h/p?refresh_token=a&client_secret=b&x=1')).toBe(
      'https://u:REDACTED@h/p?refresh_token=REDACTED&client_secret=REDACTED&x=1',
    );
  });
});
