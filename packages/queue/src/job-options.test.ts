import {
  enrichDedupId,
  eventAddOptions,
  eventJobId,
  eventJobOptions,
  jitterBackoff,
} from './index';

describe('eventJobOptions', () => {
  it('keeps completed jobs for the recent window only (default an hour, 1,000), failed ones at least a week', () => {
    expect(eventJobOptions(86400)).toMatchObject({
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 86400 },
    });
    expect(eventJobOptions(86400, { seconds: 600, count: 50 }).removeOnComplete).toEqual({
      age: 600,
      count: 50,
    });
  });

  it('never keeps a completed job body longer than the dedup window', () => {
    expect(eventJobOptions(120, { seconds: 3600, count: 10 }).removeOnComplete).toEqual({
      age: 120,
      count: 10,
    });
  });

  it('never keeps failed jobs shorter than the window', () => {
    expect(eventJobOptions(30 * 86400).removeOnFail).toEqual({ age: 30 * 86400 });
  });
});

describe('eventAddOptions', () => {
  it('adds jobId = EventId and a dedup marker of the same id that lives for the window', () => {
    const options = eventAddOptions({ EventId: '8337AE4A-1DD6-40FD-8DC7-A050664A0AF7' }, 86400);
    expect(options).toMatchObject({
      jobId: '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
      deduplication: { id: '8337ae4a-1dd6-40fd-8dc7-a050664a0af7', ttl: 86_400_000 },
      removeOnComplete: { age: 3600, count: 1000 },
    });
    expect(options.deduplication).toEqual({ id: options.jobId, ttl: 86_400_000 });
  });
});

describe('eventJobId', () => {
  it('is the EventId, lower-cased so two spellings of one GUID are one job', () => {
    expect(eventJobId({ EventId: '8337AE4A-1DD6-40FD-8DC7-A050664A0AF7' })).toBe(
      '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
    );
  });
});

describe('jitterBackoff', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    expect(jitterBackoff(1, 1000, 60_000, () => 0)).toBe(500);
    expect(jitterBackoff(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(jitterBackoff(4, 1000, 60_000, () => 0.5)).toBe(6000);
    expect(jitterBackoff(30, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe('enrichDedupId', () => {
  it('is {tenant}:{entity}:{id}', () => {
    expect(enrichDedupId('Cust1', 'person', 7)).toBe('Cust1:person:7');
  });
});
