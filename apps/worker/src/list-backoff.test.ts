import { createListBackoff } from './list-backoff';

describe('createListBackoff', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 0;
  });

  it('waits 1 min after the first refusal, doubling to 1 h, and asks again after each wait', () => {
    const lists = createListBackoff({ now });
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(lists.refusal('udlist1')).toBeUndefined();
      const { retryInMs } = lists.refused('udlist1', 404);
      waits.push(retryInMs);
      clock += retryInMs - 1;
      expect(lists.refusal('udlist1')).toBe(404);
      clock += 1;
    }
    expect(waits).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
  });

  it('warns once per list per hour, and starts from the shortest wait once the list reads again', () => {
    const lists = createListBackoff({ now });
    expect(lists.refused('udlist1', 403).warn).toBe(true);
    expect(lists.refused('udlist2', 404).warn).toBe(true);
    clock = 30 * 60_000;
    expect(lists.refused('udlist1', 403).warn).toBe(false);
    lists.readable('udlist1');
    expect(lists.refusal('udlist1')).toBeUndefined();
    clock = 59 * 60_000;
    expect(lists.refused('udlist1', 403)).toEqual({ retryInMs: 60_000, warn: false });
    clock = 60 * 60_000;
    expect(lists.refused('udlist1', 403).warn).toBe(true);
  });
});
