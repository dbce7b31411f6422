import { clusterRuns, runStatus, type EntryStatus, type RunFact } from './index';

const t0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
let n = 0;
function fact(minutes: number, status: EntryStatus, overrides: Partial<RunFact> = {}): RunFact {
  return {
    id: `e${++n}`,
    kind: 'event',
    tenant: 'Cust1',
    accountId: 2,
    at: at(minutes),
    status,
    record: { entity: 'contact', id: 2 },
    ...overrides,
  };
}

describe('runStatus', () => {
  it.each<[EntryStatus[], EntryStatus]>([
    [['SKIPPED', 'COMPLETED', 'SKIPPED'], 'COMPLETED'],
    [['FAILED', 'COMPLETED'], 'COMPLETED'],
    [['SKIPPED', 'FAILED', 'RUNNING'], 'FAILED'],
    [['QUEUED', 'RUNNING'], 'RUNNING'],
    [['SKIPPED', 'QUEUED'], 'QUEUED'],
    [['SKIPPED'], 'SKIPPED'],
    [[], 'SKIPPED'],
  ])('%j → %s', (statuses, expected) => {
    expect(runStatus(statuses)).toBe(expected);
  });
});

describe('clusterRuns', () => {
  it('groups jobs within 15 minutes of each other and starts a new run after a longer gap', () => {
    const runs = clusterRuns([
      fact(0, 'SKIPPED'),
      fact(10, 'SKIPPED'),
      fact(24, 'SKIPPED'),
      fact(40, 'SKIPPED'),
    ]);
    expect(runs.map((r) => r.events)).toEqual([3, 1]);
  });

  it('shows COMPLETED when an enrichment completed, even if later echoes were skipped (the prototype rule)', () => {
    const runs = clusterRuns([
      fact(0, 'QUEUED', { id: 'evt-1', event: 'contact.changed' }),
      fact(1, 'RUNNING', {
        id: 'enrich:1',
        kind: 'enrichment',
        accountName: 'Nordlys Robotics AS',
      }),
      fact(2, 'COMPLETED', {
        id: 'enrich:1',
        kind: 'enrichment',
        fieldsWritten: [{ key: 'SuperOffice:83', old: '', new: '[I:1]' }],
      }),
      fact(3, 'SKIPPED', { id: 'evt-echo', reason: 'echo' }),
    ]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'COMPLETED',
      events: 2,
      accountName: 'Nordlys Robotics AS',
      fieldsWritten: [{ key: 'SuperOffice:83', old: '', new: '[I:1]' }],
    });
  });

  it('shows a queued event with the outcome of the enrichment that covered it', () => {
    const [run] = clusterRuns([
      fact(0, 'QUEUED', { id: 'evt-a' }),
      fact(0.1, 'QUEUED', { id: 'evt-b' }),
      fact(1, 'COMPLETED', { id: 'enrich:x', kind: 'enrichment' }),
    ]);
    expect(
      run!.entries.filter((e) => e.kind === 'event').map((e) => [e.status, e.coveredBy]),
    ).toEqual([
      ['COMPLETED', 'enrich:x'],
      ['COMPLETED', 'enrich:x'],
    ]);
  });

  it("keeps an entry's first time and its latest state", () => {
    const [run] = clusterRuns([
      fact(0, 'RUNNING', { id: 'enrich:2', kind: 'enrichment' }),
      fact(3, 'FAILED', { id: 'enrich:2', kind: 'enrichment', error: 'HTTP 500' }),
    ]);
    expect(run!.entries).toEqual([
      expect.objectContaining({
        id: 'enrich:2',
        firstAt: at(0),
        at: at(3),
        status: 'FAILED',
        error: 'HTTP 500',
      }),
    ]);
    expect(run!.status).toBe('FAILED');
  });

  it('measures the gap from the end of the previous entry', () => {
    const runs = clusterRuns([
      fact(0, 'RUNNING', { id: 'enrich:3', kind: 'enrichment' }),
      fact(20, 'COMPLETED', { id: 'enrich:3', kind: 'enrichment' }),
      fact(30, 'SKIPPED'),
    ]);
    expect(runs).toHaveLength(1);
  });
});
