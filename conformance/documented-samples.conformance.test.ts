import { z } from 'zod';
import { companyInput, personInput } from '@so-connector/enrichment';
import {
  contactEntitySchema,
  formatUdfValue,
  mdoListItemSchema,
  parseSuperOfficeDate,
  parseUdfValue,
  personEntitySchema,
  principalSchema,
  readUdfs,
  toHttpDate,
  udfDefinitionSchema,
  udfFieldTypes,
  udfKey,
  webhookSchema,
} from '@so-connector/superoffice-client';
import { sample, udfValueForms } from './samples';

// SuperOffice's own documented responses through every schema the client reads them with, and
// the fields the enrichment reads, with the shapes it expects (issue 14).
describe('documented responses parse with the client schemas', () => {
  it.each([
    ['v1ContactEntity_GetContactEntity.response', contactEntitySchema],
    ['v1PersonEntity_GetPersonEntity.response', personEntitySchema],
    ['v1User_GetCurrentPrincipal.response', principalSchema],
    ['v1ContactEntity_GetPublishedUdefLayout.response', z.array(udfDefinitionSchema)],
    ['v1PersonEntity_GetPublishedUdefLayout.response', z.array(udfDefinitionSchema)],
    ['v1Webhook_GetAllWebhooks.response', z.array(webhookSchema)],
    ['v1MDOList_GetList.response', z.array(mdoListItemSchema)],
  ] as const)('%s', (name, schema) => {
    const documented = sample(name);
    expect(documented.startLine).toMatch(/^HTTP\/1\.1 200 /);
    expect(documented.headers['content-type']).toBe('application/json; charset=utf-8');
    const parsed = schema.safeParse(documented.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe('the documented contact and person as the enrichment reads them', () => {
  const contact = contactEntitySchema.parse(
    sample('v1ContactEntity_GetContactEntity.response').body,
  );
  const person = personEntitySchema.parse(sample('v1PersonEntity_GetPersonEntity.response').body);

  it('builds the provider input of a company from the documented ContactEntity', () => {
    expect(companyInput(contact)).toEqual({
      name: 'TechCorp Solutions',
      website: 'vel',
      domains: ['corrupti', 'saepe'],
      orgNr: '608698',
      country: undefined,
      description: 'Adaptive empowering function',
    });
  });

  it('builds the opener input of a person from the documented PersonEntity (Position null)', () => {
    expect(personInput(person)).toEqual({
      firstName: 'Cleora',
      lastName: 'Hickle',
      jobTitle: 'est',
      position: undefined,
    });
  });

  it('reads the documented UpdatedDate forms (offset, 7 and 6 fraction digits)', () => {
    expect(parseSuperOfficeDate(contact.UpdatedDate)?.epochMs).toBe(
      Date.UTC(2003, 1, 2, 13, 34, 1, 752),
    );
    expect(parseSuperOfficeDate(person.UpdatedDate)?.epochMs).toBe(
      Date.UTC(2009, 8, 11, 12, 35, 43, 880),
    );
    // The sample's own Last-Modified names the same second in the record's zone (+01:00).
    expect(toHttpDate(contact.UpdatedDate)).toBe('Sun, 02 Feb 2003 13:34:01 GMT');
  });

  it('reads the documented UserDefinedFields as text, and by FieldType where the layout gives it', () => {
    expect(
      [...readUdfs(contact.UserDefinedFields).values()].map((f) => [f.key, f.value.kind]),
    ).toEqual([
      ['SuperOffice:1', 'string'],
      ['SuperOffice:2', 'string'],
    ]);
    const personUdfs = readUdfs(person.UserDefinedFields, { 'SuperOffice:2': 'Number' });
    expect(personUdfs.get('SuperOffice:2')?.value).toEqual({
      kind: 'int',
      value: 938973347,
      form: 'plain',
    });
  });
});

describe('the documented UDF layouts', () => {
  it.each([
    'v1ContactEntity_GetPublishedUdefLayout.response',
    'v1PersonEntity_GetPublishedUdefLayout.response',
  ])('%s: a Checkbox with a list name, keyed by ProgId, read as a checkbox', (name) => {
    const [field] = z.array(udfDefinitionSchema).parse(sample(name).body);
    expect(field).toMatchObject({ FieldType: 'Checkbox', MdoListName: expect.any(String) });
    expect(udfKey(field!)).toBe(field!.ProgId);
    const types = udfFieldTypes([field!]);
    const value = readUdfs({ [field!.ProgId!]: 'False' }, types).get(field!.ProgId!)?.value;
    expect(value).toEqual({ kind: 'bool', value: false });
  });
});

describe('every documented UDF value form round-trips through the codec', () => {
  it.each(udfValueForms().map((f) => [f.raw, f.fieldType, f.kind] as const))(
    '%s (FieldType %s) → %s',
    (raw, fieldType, kind) => {
      const value = parseUdfValue(raw, fieldType);
      expect(value.kind).toBe(kind);
      expect(formatUdfValue(value)).toBe(raw);
    },
  );
});
