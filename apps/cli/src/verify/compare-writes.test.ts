import type { RunFact } from '@so-connector/sync-runs';
import { compareWrites, latestWrites, recordKey } from './compare-writes';

function fact(at: string, record: RunFact['record'], fields: [string, string][]): RunFact {
  return {
    id: `enrich:${at}`,
    kind: 'enrichment',
    tenant: 'Cust12345',
    accountId: 2,
    at,
    status: 'COMPLETED',
    record,
    fieldsWritten: fields.map(([key, value]) => ({ key, old: '', new: value })),
  };
}

describe('latestWrites', () => {
  it('keeps the latest value per record and field, whatever the order of the facts', () => {
    const facts = [
      fact('2025-05-14T10:05:00.000Z', { entity: 'contact', id: 2 }, [
        ['SuperOffice:84', 'second'],
      ]),
      fact('2025-05-14T10:00:00.000Z', { entity: 'contact', id: 2 }, [
        ['SuperOffice:83', '[I:1]'],
        ['SuperOffice:84', 'first'],
      ]),
      fact('2025-05-14T10:01:00.000Z', { entity: 'person', id: 11 }, [['SuperOffice:91', 'Hi']]),
      {
        ...fact('2025-05-14T10:09:00.000Z', { entity: 'contact', id: 2 }, []),
        fieldsWritten: undefined,
      },
    ];
    expect(latestWrites(facts)).toEqual([
      {
        entity: 'contact',
        recordId: 2,
        key: 'SuperOffice:83',
        written: '[I:1]',
        at: '2025-05-14T10:00:00.000Z',
      },
      {
        entity: 'contact',
        recordId: 2,
        key: 'SuperOffice:84',
        written: 'second',
        at: '2025-05-14T10:05:00.000Z',
      },
      {
        entity: 'person',
        recordId: 11,
        key: 'SuperOffice:91',
        written: 'Hi',
        at: '2025-05-14T10:01:00.000Z',
      },
    ]);
  });

  it('is empty when nothing was written', () => {
    expect(
      latestWrites([fact('2025-05-14T10:00:00.000Z', { entity: 'contact', id: 2 }, [])]),
    ).toEqual([]);
  });
});

describe('compareWrites', () => {
  const write = (
    key: string,
    written: string,
    entity: 'contact' | 'person' = 'contact',
    recordId = 2,
  ) => ({
    entity,
    recordId,
    key,
    written,
    at: '2025-05-14T10:00:00.000Z',
  });

  it('tells match, mismatch, a missing field and a gone record apart', () => {
    const records = new Map<string, Record<string, unknown> | null>([
      [
        recordKey('contact', 2),
        {
          UserDefinedFields: {
            'SuperOffice:83': '[I:2]',
            'SuperOffice:83:DisplayText': 'Software & IT',
            'SuperOffice:84': 'Edited by a human',
          },
        },
      ],
      [recordKey('person', 11), null],
    ]);
    const sut = compareWrites(
      [
        write('SuperOffice:83', '[I:2]'),
        write('SuperOffice:84', 'Robots for factories'),
        write('SuperOffice:85', 'Hello'),
        write('SuperOffice:91', 'Hi', 'person', 11),
      ],
      records,
    );
    expect(sut.map((c) => [c.key, c.status, c.current, c.currentDisplay])).toEqual([
      ['SuperOffice:83', 'match', '[I:2]', 'Software & IT'],
      ['SuperOffice:84', 'mismatch', 'Edited by a human', null],
      ['SuperOffice:85', 'missing-field', null, null],
      ['SuperOffice:91', 'record-gone', null, null],
    ]);
  });

  it('ignores line endings and surrounding blanks, as the worker does', () => {
    const records = new Map([
      [recordKey('contact', 2), { UserDefinedFields: { k: ' line one\r\nline two ' } }],
    ]);
    expect(compareWrites([write('k', 'line one\nline two')], records)[0]?.status).toBe('match');
  });
});
