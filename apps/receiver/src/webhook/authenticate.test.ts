import { createHmac } from 'node:crypto';
import { authenticateDelivery } from './authenticate';

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
      { ok: false, message: 'token query parameter is missing' },
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
      { ok: false, message: 'webhook authentication is not configured' },
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
