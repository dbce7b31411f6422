import { decodeFact, encodeFact } from './fact-codec';
import type { RunFact } from './entry';

const AT = '2026-12-01T08:00:00.123Z';
const MS = Date.parse(AT);
const EVENT_ID = '0b9c1f3e-5a7d-4c2b-9e8f-1a2b3c4d5e6f';

/** A skipped echo as the events processor records it. */
const echo: RunFact = {
  id: EVENT_ID,
  kind: 'event',
  tenant: 'Cust12345',
  accountId: 1234,
  at: AT,
  status: 'SKIPPED',
  record: { entity: 'contact', id: 1234 },
  event: 'contact.changed',
  reason: 'echo',
  detail: "changed by associate 42, the connector's API user",
  job: { queue: 'so-events', id: EVENT_ID },
};

/** The echo's member, byte for byte: version 1 of the format (fact-codec.ts). */
const PINNED_ECHO = '\x1e1\x1dC5wfPlp9TCuejxorPE1ebw\x1fS\x1f\x1f\r\x1f\x1c\x1f\x0242\x01';

const roundTrip = (fact: RunFact, ms = Date.parse(fact.at)) =>
  decodeFact(encodeFact(fact, ms), ms, fact.tenant, fact.accountId);

describe('encodeFact / decodeFact', () => {
  it('stores a skipped echo in a member short enough for a listpack (≤ 64 bytes), losslessly', () => {
    const member = encodeFact(echo, MS);
    expect(Buffer.byteLength(member)).toBeLessThanOrEqual(64);
    expect(Buffer.byteLength(member)).toBeLessThan(JSON.stringify(echo).length / 5);
    expect(decodeFact(member, MS, 'Cust12345', 1234)).toEqual(echo);
  });

  it('keeps the other skips and a QUEUED decision within 64 bytes', () => {
    const facts: RunFact[] = [
      {
        ...echo,
        reason: 'irrelevant-change',
        detail: 'changed: updated, updated_associate_id, department',
      },
      { ...echo, reason: 'out-of-scope', detail: 'owner associate 12' },
      { ...echo, event: 'person.changed', record: { entity: 'person', id: 98765 } },
      { ...echo, status: 'QUEUED', reason: 'relevant-change', detail: 'changed: name, orgnr' },
    ];
    for (const fact of facts) {
      expect(Buffer.byteLength(encodeFact(fact, MS))).toBeLessThanOrEqual(64);
      expect(roundTrip(fact)).toEqual(fact);
    }
  });

  it('keeps what it cannot derive: kind, a non-ISO time, another job, no job, empty texts', () => {
    const facts: RunFact[] = [
      { ...echo, kind: 'enrichment' },
      { ...echo, at: '2026-12-01T08:00:00Z' },
      { ...echo, at: '2026-12-01T09:00:00.123+01:00' },
      { ...echo, job: { queue: 'so-events-2', id: EVENT_ID } },
      { ...echo, job: { queue: 'so-events', id: 'other' } },
      { ...echo, id: EVENT_ID.toUpperCase(), job: { queue: 'so-events', id: EVENT_ID } },
      { ...echo, reason: '', detail: '', event: '' },
      { ...echo, record: { entity: 'contact', id: 77 } },
      { ...echo, accountId: -1, record: { entity: 'contact', id: -1 } },
    ];
    const { job: _job, event: _event, reason: _reason, detail: _detail, ...bare } = echo;
    facts.push(bare);
    for (const fact of facts) expect(roundTrip(fact)).toEqual(fact);
  });

  it('round-trips an enrichment with names, calls and fields written', () => {
    const completed: RunFact = {
      id: 'enrich:repeat:contact:1234:1764576000000',
      kind: 'enrichment',
      tenant: 'Cust12345',
      accountId: 1234,
      at: AT,
      status: 'COMPLETED',
      record: { entity: 'contact', id: 1234 },
      accountName: 'Nordlys Robotics AS',
      ownerName: 'Kari Nordmann',
      calls: { superoffice: 3, provider: 1, patches: 1 },
      fieldsWritten: [{ key: 'SuperOffice:83', old: '', new: 'Software | echo "x"' }],
      providerLatencyMs: 12.5,
      job: { queue: 'so-enrich', id: 'repeat:contact:1234:1764576000000' },
    };
    // Stored as JSON, `at` included: each attempt's fact is a member of its own.
    const member = encodeFact(completed, MS);
    expect(member).toBe(JSON.stringify(completed));
    expect(roundTrip(completed)).toEqual(completed);
    const later = { ...completed, at: '2026-12-01T08:02:00.000Z' };
    expect(encodeFact(later, Date.parse(later.at))).not.toBe(member);
    const { calls: _calls, fieldsWritten: _fields, ...running } = completed;
    expect(roundTrip({ ...running, status: 'RUNNING' })).toEqual({ ...running, status: 'RUNNING' });
  });

  it('stores a fact with a control character in a text as JSON, and reads it back', () => {
    const odd: RunFact = { ...echo, detail: 'changed: a\x1fb\x01c', event: 'x\ny' };
    expect(encodeFact(odd, MS).startsWith('{')).toBe(true);
    expect(roundTrip(odd)).toEqual(odd);
    const oddId: RunFact = { ...echo, id: 'a\x1eb' };
    expect(roundTrip(oddId)).toEqual(oddId);
  });

  it('reads facts stored as JSON before this encoding (their own tenant, account and time)', () => {
    const old = JSON.stringify({ ...echo, at: '2026-11-30T10:00:00.000Z' });
    expect(decodeFact(old, MS, 'ignored', 1)).toEqual({ ...echo, at: '2026-11-30T10:00:00.000Z' });
  });

  it('skips a member that is not a fact, or of another version, or of an unknown entity', () => {
    expect(decodeFact('not json', MS, 'T', 1)).toBeUndefined();
    expect(decodeFact('{"id":"x"}', MS, 'T', 1)).toBeUndefined();
    expect(decodeFact('\x1e1id\x1fZ', MS, 'T', 1)).toBeUndefined();
    expect(decodeFact('\x1e1id\x1fS\x1f\x1f\x1f\x1f\x1f{bad', MS, 'T', 1)).toBeUndefined();
    expect(decodeFact('\x1e1id\x1fs', MS, 'T', 1)).toMatchObject({ id: 'id', status: 'SKIPPED' });
    expect(decodeFact('\x1e2id\x1fs', MS, 'T', 1)).toBeUndefined();
    expect(decodeFact('\x1e1id\x1fs\x1fx5', MS, 'T', 1)).toBeUndefined();
  });

  it('stores exactly these bytes (the format is read by every later version)', () => {
    expect(encodeFact(echo, MS)).toBe(PINNED_ECHO);
    expect(decodeFact(PINNED_ECHO, MS, 'Cust12345', 1234)).toEqual(echo);
  });

  it('stores a text with a lone surrogate as JSON, which keeps it', () => {
    const cut: RunFact = { ...echo, detail: 'name: Nordlys \ud83d' };
    expect(encodeFact(cut, MS).startsWith('{')).toBe(true);
    expect(roundTrip(cut)).toEqual(cut);
    const whole: RunFact = { ...echo, detail: 'name: Nordlys \ud83d\ude80' };
    expect(encodeFact(whole, MS).startsWith('\x1e')).toBe(true);
    expect(roundTrip(whole)).toEqual(whole);
  });
});
