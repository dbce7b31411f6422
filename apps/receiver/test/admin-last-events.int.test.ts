import { Redis } from 'ioredis';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { LastEventRecorder, readLastEvents } from '../src/admin/last-events';

let redis: TestRedis;
let connection: Redis;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

const at = (iso: string) => Date.parse(iso);

describe('LastEventRecorder', () => {
  it('keeps the newest time per tenant, also against an older event written later', async () => {
    const prefix = `${redis.prefix}-newest`;
    const sut = new LastEventRecorder(connection, prefix, 60_000);
    sut.note('CustA', at('2026-11-30T10:00:05.000Z'));
    sut.note('CustA', at('2026-11-30T10:00:01.000Z'));
    sut.note('CustB', at('2026-11-30T09:00:00.000Z'));
    await sut.flush();
    // A spooled event drained later is older than what is stored: it does not win.
    sut.note('CustA', at('2026-11-30T09:59:00.000Z'));
    sut.note('CustB', at('2026-11-30T09:30:00.000Z'));
    await sut.close();
    const read = await readLastEvents(connection, prefix, ['CustA', 'CustB', 'CustC']);
    expect(Object.fromEntries(read)).toEqual({
      CustA: '2026-11-30T10:00:05.000Z',
      CustB: '2026-11-30T09:30:00.000Z',
    });
  });

  it('keeps what it noted when Redis refuses the write, and writes it at the next flush', async () => {
    const prefix = `${redis.prefix}-retry`;
    const offline = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const sut = new LastEventRecorder(offline, prefix, 60_000);
    try {
      sut.note('CustA', at('2026-11-30T10:00:00.000Z'));
      await expect(sut.flush()).rejects.toThrow();
      // (The refused command itself starts the lazy connection.)
      await waitFor(() => offline.status === 'ready', { what: 'the connection' });
      await sut.flush();
      expect(Object.fromEntries(await readLastEvents(connection, prefix, ['CustA']))).toEqual({
        CustA: '2026-11-30T10:00:00.000Z',
      });
    } finally {
      await sut.close();
      offline.disconnect();
    }
  });
});
