import { checkTargetUrl } from './target-url';

describe('checkTargetUrl', () => {
  it.each([
    'https://so.example.com/webhooks/superoffice',
    'http://localhost:3000/webhooks/superoffice',
    'http://127.0.0.1:8080/webhooks/superoffice',
  ])('accepts %s', (url) => {
    expect(checkTargetUrl(url)).toEqual({ ok: true, url });
  });

  it.each([
    ['http://so.example.com/webhooks/superoffice', /only to https/],
    ['http://127.0.0.2/x', /only to https/],
    ['ftp://localhost/x', /only to https/],
    ['so.example.com/webhooks', /not a URL/],
    ['https://user:pw@so.example.com/x', /user name or password/],
  ])('refuses %s', (url, message) => {
    const result = checkTargetUrl(url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
