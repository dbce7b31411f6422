import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { clearPrefix, login } from './admin-harness';
import { startOnboarding, type OnboardingSetup } from './onboarding-harness';

// The browser's part of onboarding, played by fetch with manual redirects so each hop can be
// checked (onboarding*.int.test.ts); the Playwright test clicks the same flow through.

/**
 * Registers the suite's hooks (a Redis, a prefix per test, everything closed after each test) and
 * returns `setUp`, which starts the simulator and the receiver and signs the admin in.
 */
export function useOnboardingSetups() {
  let redis: TestRedis;
  let run = 0;
  const setups: OnboardingSetup[] = [];

  beforeAll(async () => {
    redis = await useTestRedis();
  });
  afterAll(async () => {
    if (redis)
      for (let i = 1; i <= run; i++) await clearPrefix(redis.url, `${redis.prefix}-onb${i}`);
    await redis?.cleanup();
  });
  afterEach(async () => {
    for (const setup of setups.splice(0)) await setup.close();
  });

  return async function setUp(
    options: Omit<Parameters<typeof startOnboarding>[0], 'redisUrl' | 'prefix'> = {},
  ): Promise<Setup> {
    const prefix = `${redis.prefix}-onb${++run}`;
    const setup = await startOnboarding({ redisUrl: redis.url, prefix, ...options });
    setups.push(setup);
    return { ...setup, prefix, cookie: await login(setup.sut.url) };
  };
}

export type Setup = OnboardingSetup & { readonly prefix: string; readonly cookie: string };

/** POST /admin/tenants/connect → the authorize URL and the browser-binding cookie. */
export async function connect(s: Setup): Promise<{ authorizeUrl: string; binding: string }> {
  const res = await fetch(`${s.sut.url}/admin/tenants/connect`, {
    method: 'POST',
    headers: {
      cookie: s.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
    },
    body: '',
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const set = res.headers.getSetCookie().find((c) => c.startsWith('so_oauth='))!;
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Lax/i);
  expect(set).toMatch(/Path=\/oauth\/callback/);
  return {
    authorizeUrl: res.headers.get('location')!,
    binding: set.split(';')[0]!.slice('so_oauth='.length),
  };
}

/** The admin's answer on the simulator's consent page → where the browser is sent back to. */
export async function consent(authorizeUrl: string, decision: 'allow' | 'deny'): Promise<string> {
  const page = await (await fetch(authorizeUrl)).text();
  const id = /name="consent" value="([0-9a-f]+)"/.exec(page)?.[1];
  if (!id) throw new Error(`no consent form: ${page}`);
  const res = await fetch(new URL('/login/common/oauth/authorize/decision', authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent: id, decision }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

export async function callback(url: string, binding: string | undefined) {
  const res = await fetch(url, {
    headers: binding ? { cookie: `so_oauth=${binding}` } : {},
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}
