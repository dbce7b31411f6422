import { createHmac } from 'node:crypto';
import { authenticateDelivery, UNKNOWN_TENANT_AUTH } from './authenticate';

const body = Buffer.from('{"EventId":"x"}');
const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('base64');
const secrets = ['current-secret', 'previous-secret'];

describe('authenticateDelivery', () => {
  it.each([
    [
      'a valid signature',
      { secrets, token: undefined, allowUnsigned: false },
      { signature: sign('current-secret'), token: undefined },
      { ok: true, method: 'signature' },
    ],
    [
      'the rotation secret',
      { secrets, token: undefined, allowUnsigned: false },
      { signature: sign('previous-secret'), token: undefined },
      { ok: true, method: 'signature' },
    ],
    [
      'a wrong signature',
      { secrets, token: undefined, allowUnsigned: false },
      { signature: sign('other'), token: undefined },
      { ok: false, message: 'X-SuperOffice-Signature does not match the body' },
    ],
    [
      'a missing signature',
      { secrets, token: undefined, allowUnsigned: false },
      { signature: undefined, token: undefined },
      { ok: false, message: 'X-SuperOffice-Signature header is missing' },
    ],
    [
      'a wrong signature with a right token',
      { secrets, token: 'legacy', allowUnsigned: false },
      { signature: sign('other'), token: 'legacy' },
      { ok: false, message: 'X-SuperOffice-Signature does not match the body' },
    ],
    [
      'the legacy token',
      { secrets: [], token: 'legacy', allowUnsigned: false },
      { signature: undefined, token: 'legacy' },
      { ok: true, method: 'token' },
    ],
    [
      'a token when both are configured',
      { secrets, token: 'legacy', allowUnsigned: false },
      { signature: undefined, token: 'legacy' },
      { ok: true, method: 'token' },
    ],
    [
      'a wrong token',
      { secrets: [], token: 'legacy', allowUnsigned: false },
      { signature: undefined, token: 'nope' },
      { ok: false, message: 'token query parameter does not match' },
    ],
    [
      'a missing token',
      { secrets: [], token: 'legacy', allowUnsigned: false },
      { signature: undefined, token: undefined },
      // The message names what the request lacks, not what the tenant uses (no answer may tell).
      { ok: false, message: 'X-SuperOffice-Signature header is missing' },
    ],
    [
      'an unsigned delivery when allowed',
      { secrets: [], token: undefined, allowUnsigned: true },
      { signature: undefined, token: undefined },
      { ok: true, method: 'unsigned' },
    ],
    [
      'an unsigned delivery when not allowed',
      { secrets: [], token: undefined, allowUnsigned: false },
      { signature: undefined, token: undefined },
      { ok: false, message: 'X-SuperOffice-Signature header is missing' },
    ],
    [
      'an unsigned delivery when secrets exist, even if allowed',
      { secrets, token: undefined, allowUnsigned: true },
      { signature: undefined, token: undefined },
      { ok: false, message: 'X-SuperOffice-Signature header is missing' },
    ],
  ])('%s', (_label, auth, credentials, expected) => {
    expect(authenticateDelivery(body, credentials, auth)).toEqual(expected);
  });
});

describe('authenticateDelivery for a tenant this deployment does not serve', () => {
  const tenants = {
    'one secret': { secrets: ['current-secret'], token: undefined, allowUnsigned: false },
    'a rotation': { secrets, token: undefined, allowUnsigned: false },
    'a legacy token': { secrets: [], token: 'legacy', allowUnsigned: false },
    'a secret and a token': { secrets, token: 'legacy', allowUnsigned: false },
  };
  const wrong = {
    nothing: { signature: undefined, token: undefined },
    'a wrong signature': { signature: sign('other'), token: undefined },
    'a malformed signature': { signature: 'abc', token: undefined },
    'an empty signature': { signature: ' ', token: undefined },
    'a wrong token': { signature: undefined, token: 'guess' },
    'a wrong signature and token': { signature: sign('other'), token: 'guess' },
  };

  it.each(Object.entries(wrong))(
    'refuses %s exactly as a served tenant does',
    (_l, credentials) => {
      const unknown = authenticateDelivery(body, credentials, UNKNOWN_TENANT_AUTH);
      expect(unknown.ok).toBe(false);
      for (const auth of Object.values(tenants)) {
        expect(authenticateDelivery(body, credentials, auth)).toEqual(unknown);
      }
    },
  );

  it('is not rescued by ALLOW_UNSIGNED, and its placeholders match nothing a caller can send', () => {
    expect(UNKNOWN_TENANT_AUTH.allowUnsigned).toBe(false);
    const unsigned = { signature: undefined, token: undefined };
    expect(authenticateDelivery(body, unsigned, UNKNOWN_TENANT_AUTH).ok).toBe(false);
    expect(
      authenticateDelivery(body, { signature: sign(''), token: '' }, UNKNOWN_TENANT_AUTH),
    ).toEqual({
      ok: false,
      message: 'X-SuperOffice-Signature does not match the body',
    });
  });
});
