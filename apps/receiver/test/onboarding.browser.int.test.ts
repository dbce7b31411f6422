import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { ADMIN_PASSWORD, ADMIN_USER, clearPrefix } from './admin-harness';
import {
  SIM_TENANT,
  simSeed,
  startHookTarget,
  startOnboarding,
  type OnboardingSetup,
} from './onboarding-harness';

// The whole onboarding clicked through in a real browser: the admin signs in, opens the tenants
// page, connects a tenant, approves the app on the simulator's consent page, comes back to the
// result, picks the fields discovery did not find, and sees the backfill offer. Debian's chromium
// driven by playwright-core; skipped (loudly) when it is missing outside CI, as the admin test.
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI) {
  it('needs chromium', () => {
    throw new Error(
      `${CHROMIUM} is missing: the onboarding browser test cannot run (apt-get install -y chromium).`,
    );
  });
} else if (!haveChromium) {
  process.stderr.write(
    `[onboarding.browser.int.test] SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)\n`,
  );
}

const describeWithBrowser = haveChromium ? describe : describe.skip;

describeWithBrowser('onboarding in a real browser', () => {
  let redis: TestRedis;
  let prefix: string;
  let setup: OnboardingSetup;
  let hook: Awaited<ReturnType<typeof startHookTarget>>;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    redis = await useTestRedis();
    prefix = `${redis.prefix}-onboard-browser`;
    hook = await startHookTarget();
    setup = await startOnboarding({
      redisUrl: redis.url,
      prefix,
      seed: simSeed({ summary: 'Notes', opener: 'Remarks' }),
      webhookPublicUrl: hook.publicUrl,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await setup?.close();
    await hook?.stop();
    if (redis) await clearPrefix(redis.url, prefix);
    await redis?.cleanup();
  });

  async function startConnecting(): Promise<void> {
    await page.goto(`${setup.sut.url}/admin/tenants`);
    await page.click('#connect-tenant');
    await page.waitForURL(`${setup.sut.url}/admin/tenants/connect`);
    await page.click('#connect');
    await page.waitForURL((url) => url.pathname === '/login/common/oauth/authorize');
    expect(await page.locator('#tenant').innerText()).toBe(SIM_TENANT);
  }

  it('signs in, connects a tenant, approves it, picks the missing fields and is offered a backfill', async () => {
    await page.goto(`${setup.sut.url}/admin/tenants`);
    await page.waitForURL(/\/admin\/login\?next=/);
    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${setup.sut.url}/admin/tenants`);

    await startConnecting();
    await page.click('#allow');
    await page.waitForURL((url) => url.pathname === '/oauth/callback');
    expect(await page.locator('#onboarded').innerText()).toContain(`Connected ${SIM_TENANT}`);
    expect(await page.locator('#webhook-result').innerText()).toContain(
      `${hook.publicUrl}/${SIM_TENANT}`,
    );
    expect(await page.locator('#udf h2').innerText()).toContain('Pick the fields');
    expect(await page.locator('#backfill pre').innerText()).toContain(
      `so-connector --tenant ${SIM_TENANT} backfill --target-empty --dry-run`,
    );

    // Discovery found the vertical and the person opener; the admin picks the other two.
    expect(await page.locator('#udf-vertical').inputValue()).toBe('SuperOffice:83');
    expect(await page.locator('#udf-summary').inputValue()).toBe('');
    await page.selectOption('#udf-summary', 'SuperOffice:84');
    await page.selectOption('#udf-opener', 'SuperOffice:85');
    await page.click('#save-udf');
    await page.locator('#udf-saved').waitFor();
    expect(await page.locator('[data-target=summary] td').nth(1).innerText()).toBe(
      'Notes (SuperOffice:84)',
    );

    const tenant = await setup.store.get(SIM_TENANT);
    expect(tenant?.udf).toEqual({
      vertical: 'SuperOffice:83',
      summary: 'SuperOffice:84',
      opener: 'SuperOffice:85',
      personOpener: 'SuperOffice:91',
    });
    expect(setup.sim.webhooks()).toEqual([
      expect.objectContaining({
        TargetUrl: `${hook.publicUrl}/${SIM_TENANT}`,
        Secret: tenant?.webhookSecrets[0],
      }),
    ]);
    // The result page holds no secret.
    expect(await page.content()).not.toContain(tenant!.webhookSecrets[0]!);
    expect(cspViolations).toEqual([]);
  }, 60_000);

  it('says so, and stores nothing new, when the admin denies consent', async () => {
    await setup.store.remove(SIM_TENANT);
    await startConnecting();
    await page.click('#deny');
    await page.waitForURL((url) => url.pathname === '/oauth/callback');
    expect(await page.locator('h1').innerText()).toBe('Consent was not given');
    expect(await setup.store.get(SIM_TENANT)).toBeUndefined();
    // Back again with the same answer: the state was used up.
    await page.reload();
    expect(await page.locator('h1').innerText()).toBe('Unknown or already used sign-in');
  }, 60_000);
});
