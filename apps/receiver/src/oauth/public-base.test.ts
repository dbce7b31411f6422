import { publicAddress, webhookTargetFor } from './public-base';

describe('publicAddress', () => {
  it('takes the base from SO_REDIRECT_URI without /oauth/callback, keeping a proxy prefix', () => {
    expect(publicAddress('https://so.example.com/oauth/callback', undefined)).toEqual({
      ok: true,
      value: {
        base: 'https://so.example.com',
        callbackPath: '/oauth/callback',
        from: 'SO_REDIRECT_URI',
      },
    });
    expect(publicAddress('https://example.com/connector/oauth/callback', undefined)).toMatchObject({
      ok: true,
      value: { base: 'https://example.com/connector', callbackPath: '/connector/oauth/callback' },
    });
  });

  it('prefers WEBHOOK_PUBLIC_URL, the address SuperOffice’s servers reach', () => {
    expect(
      publicAddress(
        'https://admin.internal.example/oauth/callback',
        'https://hooks.example.com/so/webhooks/superoffice/',
      ),
    ).toMatchObject({
      ok: true,
      value: { base: 'https://hooks.example.com/so', from: 'WEBHOOK_PUBLIC_URL' },
    });
  });

  it.each([
    ['not a URL', 'nope', undefined, /not a URL/],
    ['plain http on a public host', 'http://so.example.com/oauth/callback', undefined, /https/],
    ['another path', 'https://so.example.com/callback', undefined, /must end in \/oauth\/callback/],
    ['a query', 'https://so.example.com/oauth/callback?x=1', undefined, /query/],
    [
      'a webhook URL of another route',
      'https://so.example.com/oauth/callback',
      'https://so.example.com/hook',
      /WEBHOOK_PUBLIC_URL must end/,
    ],
  ])('refuses %s', (_what, redirect, hook, message) => {
    const result = publicAddress(redirect, hook);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(message);
  });

  it('allows plain http on localhost and 127.0.0.1 (the simulator, a local demo)', () => {
    expect(publicAddress('http://127.0.0.1:3000/oauth/callback', undefined)).toMatchObject({
      ok: true,
      value: { base: 'http://127.0.0.1:3000' },
    });
  });
});

describe('webhookTargetFor', () => {
  it('is the tenant’s own webhook route', () => {
    expect(webhookTargetFor('https://so.example.com', 'Cust12345')).toBe(
      'https://so.example.com/webhooks/superoffice/Cust12345',
    );
  });
});
