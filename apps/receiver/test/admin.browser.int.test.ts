import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  clearPrefix,
  ENRICH_JOB_IDS,
  EVENT_IDS,
  PLANTED,
  seedAdminData,
  startAdminReceiver,
  type SeededData,
} from './admin-harness';
import type { ReceiverUnderTest } from './receiver-harness';

// A real browser against the real receiver: Debian's chromium, driven by playwright-core (no
// bundled browser download). `.ci/run` installs chromium; outside CI the suite is skipped, loudly,
// when it is missing.
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env.CI) {
  it('needs chromium', () => {
    throw new Error(
      `${CHROMIUM} is missing: the admin browser test cannot run. Install it with "apt-get install -y chromium" (.ci/run does).`,
    );
  });
} else if (!haveChromium) {
  process.stderr.write(
    `[admin.browser.int.test] SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)\n`,
  );
}

const describeWithBrowser = haveChromium ? describe : describe.skip;

/** PNG files start with these 8 bytes. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describeWithBrowser('admin UI in a real browser', () => {
  let redis: TestRedis;
  let prefix: string;
  let seeded: SeededData;
  let sut: ReceiverUnderTest;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    redis = await useTestRedis();
    prefix = `${redis.prefix}-browser`;
    seeded = await seedAdminData(redis.url, prefix);
    sut = await startAdminReceiver({ redisUrl: redis.url, prefix });
    // SCREENSHOT_DIR keeps the screenshots for a person to look at; a temp dir otherwise.
    const keep = process.env.SCREENSHOT_DIR;
    shots = keep ?? mkdtempSync(join(tmpdir(), 'so-admin-shots-'));
    mkdirSync(shots, { recursive: true });
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
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (message) => {
      const text = message.text();
      // Bull Board's page asks for Google Fonts; our CSP refuses third-party requests on purpose.
      if (/Content Security Policy/i.test(text) && !text.includes('fonts.googleapis.com'))
        cspViolations.push(text);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sut?.close();
    await clearPrefix(redis.url, prefix);
    await redis?.cleanup();
    if (!process.env.SCREENSHOT_DIR) rmSync(shots, { recursive: true, force: true });
  });

  async function screenshot(name: string): Promise<Buffer> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    return png;
  }

  it('signs in through the form, browses runs and a run’s details, and opens Bull Board', async () => {
    // Not signed in: the dashboard sends the browser to the login form.
    await page.goto(`${sut.url}/admin?status=FAILED`);
    await page.waitForURL(/\/admin\/login\?next=/);

    // A wrong password keeps the browser on the form, with an error.
    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', 'not-the-password-1');
    await page.click('button[type=submit]');
    await page.locator('#login-error').waitFor();
    expect(await page.locator('#login-error').innerText()).toBe('Wrong user name or password.');

    await page.fill('#user', ADMIN_USER);
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    // Back where it wanted to go, with the filter applied.
    await page.waitForURL(`${sut.url}/admin?status=FAILED`);
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
    expect(await page.locator('#runs tbody tr').innerText()).toContain('Globex Corp');

    // The whole list, through the filter form.
    await page.selectOption('select[name=status]', '');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/\/admin\?status=&account=$/);
    const rows = page.locator('#runs tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(2).innerText()).toMatch(/Acme AS\s+#42[\s\S]*COMPLETED/);
    expect(await page.locator('#webhook-health').innerText()).toContain('TooManyErrors');
    expect(await page.locator('#queue-counts').innerText()).toContain('so-maintenance');
    expect(await page.locator('svg.chart polyline[data-kind="events"]').count()).toBe(1);
    expect(await page.locator('svg.chart').isVisible()).toBe(true);
    await screenshot('dashboard');

    // A run's details.
    await page.click('#runs a:has-text("Acme AS")');
    await page.waitForURL(`${sut.url}/admin/runs/42/${seeded.runs.acme}`);
    expect(await page.locator('h1').innerText()).toMatch(/^Acme AS #42 COMPLETED$/);
    const entries = page.locator('#entries tbody tr');
    expect(await entries.count()).toBe(3);
    const enrichment = await entries.nth(1).innerText();
    expect(enrichment).toContain('Vertical: Unknown → Software & IT');
    expect(enrichment).toContain('Summary: (empty) → Makes <b>widgets</b> for everyone');
    // The label names the field; its UDF key is the tooltip.
    expect(await entries.nth(1).locator('span.field[title="SuperOffice:1"]').innerText()).toBe(
      'Vertical',
    );
    expect(await entries.nth(2).innerText()).toContain('echo: changed by the connector itself');
    await screenshot('run-detail');

    // From the entry to its job in Bull Board, which renders it (and only its redacted data).
    await page.click(`#entries a[href$="/so-events/${EVENT_IDS.acmeChanged}"]`);
    await page.waitForURL(/\/admin\/queues\/queue\/so-events\//);
    await page.getByText(EVENT_IDS.acmeChanged).first().waitFor({ timeout: 20_000 });

    // Bull Board's overview lists the three queues with their counts.
    await page.goto(`${sut.url}/admin/queues`);
    for (const queue of ['so-events', 'so-enrich', 'so-maintenance'])
      await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.getByText('0 Jobs').waitFor({ timeout: 20_000 });
    expect(await page.getByText('read-only').first().isVisible()).toBe(true);
    await screenshot('bull-board');

    // A failed job: its error redacted, and its link to the sync run that holds it.
    await page.goto(`${sut.url}/admin/queues/queue/so-enrich?status=failed`);
    await page
      .getByText(/token=\[REDACTED\]/)
      .first()
      .waitFor({ timeout: 20_000 });
    const runLink = page.getByRole('link', { name: 'sync run' }).first();
    expect(await runLink.getAttribute('href')).toBe(
      `/admin/jobs/so-enrich/${ENRICH_JOB_IDS.globex}`,
    );
    await screenshot('bull-board-failed-job');
    expect(await page.content()).not.toContain(PLANTED.tokenInError);
    await page.goto(`${sut.url}${await runLink.getAttribute('href')}`);
    await page.waitForURL(`${sut.url}/admin/runs/77/${seeded.runs.globex}`);
    expect(await page.locator('#entries').innerText()).toContain(
      'SuperOffice answered 400 Bad Request: invalid UDF value (sent with Bearer [REDACTED])',
    );

    const content = await page.content();
    for (const planted of Object.values(PLANTED)) expect(content).not.toContain(planted);
    expect(cspViolations).toEqual([]);
  }, 120_000);

  it('logs out', async () => {
    await page.goto(`${sut.url}/admin`);
    await page.click('header button[type=submit]');
    await page.waitForURL(/\/admin\/login$/);
    await page.goto(`${sut.url}/admin`);
    await page.waitForURL(/\/admin\/login\?next=/);
  }, 60_000);
});
