import {
  contextIdentifierOf,
  decodeJsonBody,
  MAX_JSON_DEPTH,
  parseWebhookEvent,
} from './parse-event';

const base = {
  EventId: '88f91933-edce-4c1a-8ded-ade8e2f72434',
  Timestamp: '2025-05-14T10:48:07.8912039Z',
  Changes: ['contact_id', 'updated_associate_id', 'soundEx', 'updated', 'name'],
  Event: 'contact.changed',
  PrimaryKey: 18,
  Entity: 'contact',
  ContextIdentifier: 'Cust54321',
  ChangedByAssociateId: 5,
  WebhookName: 'My Contact Handler',
};
const raw = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseWebhookEvent', () => {
  it('accepts the documented contact.changed payload with FieldValues (superoffice-api.md 2.1)', () => {
    const fieldValues = {
      associate_id: 12,
      business_idx: 2,
      DeletedDate: '0001-01-01T00:00:00',
      updated: '2025-05-14T10:48:07.8912039+02:00',
      userdef_id: 22,
      x: '[I:6]',
    };
    const result = parseWebhookEvent(raw({ ...base, FieldValues: fieldValues }));
    expect(result).toEqual({ ok: true, event: { ...base, FieldValues: fieldValues } });
  });

  it('keeps unknown keys (webhook Properties are injected into the body; deletes carry Values)', () => {
    const result = parseWebhookEvent(
      raw({
        ...base,
        Event: 'person.deleted',
        Changes: [],
        Values: { person_id: 18 },
        myProperty: { a: 1 },
      }),
    );
    expect(result.ok && result.event).toMatchObject({
      Values: { person_id: 18 },
      myProperty: { a: 1 },
    });
  });

  it.each([
    ['a 7-digit UTC timestamp', '2018-04-24T07:50:50.6812131Z'],
    ['an offset timestamp', '2025-05-14T10:48:07.8912039+02:00'],
    ['a timestamp without zone', '2020-02-16T17:50:17'],
  ])('accepts %s', (_label, Timestamp) => {
    expect(parseWebhookEvent(raw({ ...base, Timestamp })).ok).toBe(true);
  });

  it.each([
    [
      'the registration test event',
      { Event: 'test', Entity: 'test', PrimaryKey: 0, ContextIdentifier: 'Default', Changes: [] },
    ],
    ['a list event with two dots', { Event: 'list.udlist331.changed', Entity: 'list' }],
    ['an event type the connector does not handle', { Event: 'sale.sold', Entity: 'sale' }],
    ['a null FieldValues', { FieldValues: null }],
  ])('accepts %s', (_label, overrides) => {
    expect(parseWebhookEvent(raw({ ...base, ...overrides })).ok).toBe(true);
  });

  it.each([
    ['EventId', 'EventId is required'],
    ['Timestamp', 'Timestamp is required'],
    ['Changes', 'Changes is required'],
    ['Event', 'Event is required'],
    ['Entity', 'Entity is required'],
    ['PrimaryKey', 'PrimaryKey is required'],
    ['ContextIdentifier', 'ContextIdentifier is required'],
    ['ChangedByAssociateId', 'ChangedByAssociateId is required'],
    ['WebhookName', 'WebhookName is required'],
  ])('names a missing %s', (field, message) => {
    const { [field as keyof typeof base]: _removed, ...rest } = base;
    expect(parseWebhookEvent(raw(rest))).toEqual({ ok: false, message });
  });

  it.each([
    [{ EventId: 'not-a-guid' }, 'EventId: expected a GUID'],
    [{ Timestamp: 'yesterday' }, 'Timestamp: expected an ISO 8601 date-time'],
    [{ Changes: 'name' }, 'Changes: expected an array of column names'],
    [{ Changes: ['name', 7] }, 'Changes[1]: Invalid input: expected string, received number'],
    [{ Event: 'contact changed' }, 'Event: expected an event name of the form entity.action'],
    [{ PrimaryKey: '18' }, 'PrimaryKey: expected the record id'],
    [{ PrimaryKey: -1 }, 'PrimaryKey: expected a number >= 0'],
    [{ PrimaryKey: 1.5 }, 'PrimaryKey: expected a whole number'],
    [{ ChangedByAssociateId: null }, 'ChangedByAssociateId: expected an associate id'],
    [{ FieldValues: [1, 2] }, 'FieldValues: Invalid input: expected record, received array'],
  ])('names the wrong field in %j', (overrides, message) => {
    expect(parseWebhookEvent(raw({ ...base, ...overrides }))).toEqual({ ok: false, message });
  });

  it('refuses a huge Changes array', () => {
    const result = parseWebhookEvent(
      raw({ ...base, Changes: Array.from({ length: 5000 }, () => 'x') }),
    );
    expect(result).toEqual({
      ok: false,
      message: 'Changes: Too big: expected array to have <=1000 items',
    });
  });

  it.each([
    ['broken JSON', '{"EventId":', /^body is not valid JSON: /],
    ['an empty body', '', /^body is not valid JSON/],
    ['an array', '[]', /^body must be a JSON object$/],
    ['a string', '"hello"', /^body must be a JSON object$/],
    ['null', 'null', /^body must be a JSON object$/],
  ])('refuses %s', (_label, text, message) => {
    const result = parseWebhookEvent(raw(text));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it.each([
    ['inside a string value', 'My Contact Handler'.length - 7, [0xff]],
    ['as a truncated multi-byte sequence', 3, [0xc3]],
    ['as an overlong encoding', 5, [0xc0, 0xaf]],
    ['as a UTF-16 surrogate encoded in UTF-8', 9, [0xed, 0xa0, 0x80]],
  ])('refuses invalid UTF-8 %s instead of decoding it to U+FFFD', (_label, offset, bytes) => {
    const text = JSON.stringify(base);
    const at = text.indexOf('My Contact Handler') + offset;
    const body = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from(bytes),
      Buffer.from(text.slice(at)),
    ]);
    expect(parseWebhookEvent(body)).toEqual({ ok: false, message: 'body is not valid UTF-8' });
  });

  it('accepts valid multi-byte UTF-8 (4-byte sequences included)', () => {
    const result = parseWebhookEvent(raw({ ...base, WebhookName: 'Ærlig søppel 🚀' }));
    expect(result.ok && result.event.WebhookName).toBe('Ærlig søppel 🚀');
  });

  it('refuses nesting deeper than the limit before parsing', () => {
    const deep = `{"a":${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}}`;
    expect(parseWebhookEvent(raw(deep))).toEqual({
      ok: false,
      message: `body is nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('does not count brackets inside strings as nesting', () => {
    expect(parseWebhookEvent(raw({ ...base, WebhookName: '['.repeat(100) + '\\"{{{' })).ok).toBe(
      true,
    );
  });
});

describe('contextIdentifierOf (the tenant a body names, read before authentication)', () => {
  it.each([
    ['a valid payload', raw(base), 'Cust54321'],
    ['a payload failing the schema elsewhere', raw({ ...base, PrimaryKey: 'x' }), 'Cust54321'],
    ['a non-string ContextIdentifier', raw({ ...base, ContextIdentifier: 5 }), undefined],
    ['an empty ContextIdentifier', raw({ ...base, ContextIdentifier: '' }), undefined],
    ['no ContextIdentifier', raw({ EventId: base.EventId }), undefined],
    ['broken JSON', raw('{"ContextIdentifier":"Cust1"'), undefined],
    ['a JSON array', raw([{ ContextIdentifier: 'Cust1' }]), undefined],
    ['too deep a body', raw(`${'['.repeat(MAX_JSON_DEPTH + 1)}`), undefined],
  ])('%s', (_label, body, expected) => {
    expect(contextIdentifierOf(decodeJsonBody(body))).toBe(expected);
  });
});
