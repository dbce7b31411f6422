import { eventJobId, eventJobOptions } from './index';

describe('eventJobOptions', () => {
  it('keeps completed jobs for the dedup window and failed ones at least a week', () => {
    expect(eventJobOptions(86400)).toMatchObject({
      removeOnComplete: { age: 86400 },
      removeOnFail: { age: 7 * 86400 },
    });
  });

  it('never keeps failed jobs shorter than the window', () => {
    expect(eventJobOptions(30 * 86400).removeOnFail).toEqual({ age: 30 * 86400 });
  });
});

describe('eventJobId', () => {
  it('is the EventId, lower-cased so two spellings of one GUID are one job', () => {
    expect(eventJobId({ EventId: '8337AE4A-1DD6-40FD-8DC7-A050664A0AF7' })).toBe(
      '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
    );
  });
});
