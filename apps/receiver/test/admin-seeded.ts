import { useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  ADMIN_PASSWORD,
  clearPrefix,
  PLANTED,
  seedAdminData,
  startAdminReceiver,
  type SeededData,
} from './admin-harness';
import { SECRET, type ReceiverUnderTest } from './receiver-harness';

/** Nothing secret may reach a page or a log line, whatever the test did. */
export function expectNoSecrets(text: string): void {
  for (const planted of Object.values(PLANTED)) expect(text).not.toContain(planted);
  expect(text).not.toContain(ADMIN_PASSWORD);
  expect(text).not.toContain(SECRET);
}

/** The test file's Redis (registers beforeAll/afterAll); valid inside its tests. */
export function useAdminRedis(): { readonly current: TestRedis } {
  const holder = {} as { current: TestRedis };
  beforeAll(async () => {
    holder.current = await useTestRedis();
  });
  afterAll(async () => {
    await holder.current.cleanup();
  });
  return holder;
}

/**
 * A receiver with the admin UI over the seeded data (registers hooks in the calling describe);
 * afterwards no secret may be in its log.
 */
export function useSeededAdminReceiver(redis: { readonly current: TestRedis }): {
  readonly sut: ReceiverUnderTest;
  readonly seeded: SeededData;
} {
  const state = {} as { sut: ReceiverUnderTest; seeded: SeededData };
  const prefix = () => `${redis.current.prefix}-on`;
  beforeAll(async () => {
    state.seeded = await seedAdminData(redis.current.url, prefix());
    state.sut = await startAdminReceiver({ redisUrl: redis.current.url, prefix: prefix() });
  });
  afterAll(async () => {
    expectNoSecrets(state.sut.logLines.join('\n'));
    await state.sut.close();
    await clearPrefix(redis.current.url, prefix());
  });
  return state;
}
