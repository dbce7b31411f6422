import { isConnectorWebhook } from './webhook';

describe('isConnectorWebhook', () => {
  const publicUrl = 'https://so.example.com/webhooks/superoffice';
  const at = (TargetUrl: string, Name = 'someone else') => ({ Name, TargetUrl });

  it("matches the receiver's shared URL, ignoring case, query and trailing slash", () => {
    expect(
      isConnectorWebhook(at('https://SO.example.com/webhooks/superoffice/?x=1'), publicUrl),
    ).toBe(true);
    expect(
      isConnectorWebhook(at('https://other.example.com/webhooks/superoffice'), publicUrl),
    ).toBe(false);
  });

  it("matches a tenant's own route only for that tenant", () => {
    const own = at(`${publicUrl}/Cust2`);
    expect(isConnectorWebhook(own, publicUrl, 'Cust2')).toBe(true);
    expect(isConnectorWebhook(own, publicUrl, 'Cust3')).toBe(false);
    expect(isConnectorWebhook(own, publicUrl)).toBe(false);
  });

  it('derives no tenant route from a public URL that is not the shared route', () => {
    expect(
      isConnectorWebhook(
        at('https://so.example.com/hook/Cust2'),
        'https://so.example.com/hook',
        'Cust2',
      ),
    ).toBe(false);
  });

  it('matches by Name when no public URL is known', () => {
    expect(isConnectorWebhook(at('https://x', 'so-connector (prod)'))).toBe(true);
    expect(isConnectorWebhook(at('https://x', 'zapier'))).toBe(false);
  });
});
