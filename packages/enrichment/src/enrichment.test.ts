import {
  BuiltinProvider,
  companyFingerprint,
  diffUdfs,
  mapCompanyResult,
  mapPersonOpener,
  personFingerprint,
  ProviderError,
  validated,
  type CompanyInput,
  type EnrichmentProvider,
} from './index';

const VERTICALS = [
  'Manufacturing',
  'Software & IT',
  'Healthcare',
  'Retail',
  'Financial Services',
  'Energy',
  'Logistics',
  'Education',
];
const robotics: CompanyInput = {
  name: 'Nordlys Robotics AS',
  website: 'https://nordlys-robotics.no',
  domains: ['nordlys-robotics.no'],
  orgNr: '918273645',
  country: 'Norway',
  description: 'Industrial robot cells and automation for Nordic factories.',
};

describe('BuiltinProvider', () => {
  const sut = validated(new BuiltinProvider());

  it.each([
    [robotics, 'Manufacturing'],
    [
      {
        ...robotics,
        name: 'Fjordsky Software AB',
        domains: ['fjordsky.se'],
        description: 'Cloud software for field service teams; SaaS platform and mobile apps.',
      },
      'Software & IT',
    ],
    [
      {
        ...robotics,
        name: 'Helse Vest Klinikk',
        domains: [],
        description: 'Private clinic network offering diagnostics and outpatient care.',
      },
      'Healthcare',
    ],
    [
      {
        ...robotics,
        name: 'Baltic Freight Lines',
        website: undefined,
        domains: [],
        description: '',
      },
      'Logistics',
    ],
  ])('classifies %o as %s, an item of the tenant list', async (company, vertical) => {
    const result = await sut.enrichCompany(company, { verticals: VERTICALS });
    expect(result.vertical).toBe(vertical);
    expect(result.summary).toContain(company.name);
    expect(result.openers.length).toBeGreaterThan(0);
  });

  it("names the vertical as the tenant's own list item", async () => {
    const result = await sut.enrichCompany(robotics, { verticals: ['  INDUSTRY ', 'Tech'] });
    expect(result.vertical).toBe('INDUSTRY');
  });

  it('is deterministic', async () => {
    const a = await sut.enrichCompany(robotics, { verticals: VERTICALS });
    const b = await sut.enrichCompany(robotics, { verticals: VERTICALS });
    expect(a).toEqual(b);
  });

  it('says it cannot classify a company with no facts', async () => {
    const result = await sut.enrichCompany(
      {
        name: 'Acme',
        website: undefined,
        domains: [],
        orgNr: undefined,
        country: undefined,
        description: undefined,
      },
      { verticals: VERTICALS },
    );
    expect(result.vertical).toBe('Unclassified');
  });

  it('writes a person opener with the job title', async () => {
    const opener = await sut.personOpener(
      {
        firstName: 'Ingrid',
        lastName: 'Solberg',
        jobTitle: 'Head of Operations',
        position: undefined,
      },
      robotics,
    );
    expect(opener).toMatch(/^Hi Ingrid, as Head of Operations at Nordlys Robotics AS/);
  });
});

describe('validated', () => {
  const broken = (result: unknown): EnrichmentProvider => ({
    name: 'broken',
    enrichCompany: () => Promise.resolve(result as never),
    personOpener: () => Promise.resolve(result as never),
  });

  it.each([
    ['no openers', { vertical: 'Retail', summary: 'x', openers: [] }],
    ['a missing summary', { vertical: 'Retail', openers: ['hi'] }],
    ['a string instead of an object', 'Retail'],
    ['an empty vertical', { vertical: ' ', summary: 'x', openers: ['hi'] }],
  ])('turns %s into an invalid-output error', async (_label, result) => {
    const error = await validated(broken(result))
      .enrichCompany(robotics, { verticals: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'invalid-output', retryable: false });
  });

  it('refuses an empty person opener', async () => {
    await expect(
      validated(broken('  ')).personOpener(
        { firstName: 'A', lastName: 'B', jobTitle: undefined, position: undefined },
        robotics,
      ),
    ).rejects.toMatchObject({ kind: 'invalid-output' });
  });
});

describe('mapCompanyResult', () => {
  const targets = {
    vertical: {
      key: 'SuperOffice:83',
      listItems: [
        { id: 1, name: 'Manufacturing' },
        { id: 2, name: 'Software & IT' },
      ],
    },
    summary: { key: 'SuperOffice:84', textLength: 40 },
    opener: { key: 'SuperOffice:85', textLength: 0 },
  };

  it('writes the list item id of the vertical, matching case- and whitespace-insensitively', () => {
    const mapping = mapCompanyResult(
      { vertical: '  software   &  it ', summary: 'short', openers: ['one', 'two'] },
      targets,
    );
    expect(mapping).toEqual({
      values: {
        'SuperOffice:83': '[I:2]',
        'SuperOffice:84': 'short',
        'SuperOffice:85': 'one\ntwo',
      },
      notes: [],
    });
  });

  it('leaves the vertical alone and says why when no list item matches', () => {
    const mapping = mapCompanyResult({ vertical: 'Space', summary: 's', openers: ['o'] }, targets);
    expect(mapping.values).not.toHaveProperty('SuperOffice:83');
    expect(mapping.notes).toEqual([
      `vertical "Space" is not an item of SuperOffice:83's list; field left unchanged`,
    ]);
  });

  it("cuts text to the UDF's TextLength", () => {
    const mapping = mapCompanyResult(
      { vertical: 'Manufacturing', summary: 'x'.repeat(100), openers: ['o'] },
      targets,
    );
    expect(mapping.values['SuperOffice:84']).toHaveLength(40);
    expect(mapping.values['SuperOffice:84']!.endsWith('…')).toBe(true);
  });

  it('never splits a character made of two UTF-16 units when cutting', () => {
    const mapping = mapCompanyResult(
      { vertical: 'Energy', summary: '😀😀😀😀', openers: ['o'] },
      { summary: { key: 's', textLength: 3 } },
    );
    expect(mapping.values.s).toBe('😀😀…');
  });

  it('writes a plain vertical into a text UDF', () => {
    expect(
      mapCompanyResult(
        { vertical: 'Energy', summary: 's', openers: ['o'] },
        { vertical: { key: 'X.Vertical' } },
      ).values,
    ).toEqual({ 'X.Vertical': 'Energy' });
  });

  it('maps a person opener', () => {
    expect(mapPersonOpener('Hi', { key: 'SuperOffice:91', textLength: 500 })).toEqual({
      values: { 'SuperOffice:91': 'Hi' },
      notes: [],
    });
  });
});

describe('diffUdfs', () => {
  it('lists only the fields that differ, with old and new values', () => {
    const changes = diffUdfs(
      { a: '[I:2]', b: 'same', c: 'new' },
      { a: '[I:1]', b: 'same', 'a:DisplayText': 'x' },
    );
    expect(changes).toEqual([
      { key: 'a', old: '[I:1]', new: '[I:2]' },
      { key: 'c', old: '', new: 'new' },
    ]);
  });

  it('does not see line endings or surrounding blanks as a difference', () => {
    expect(diffUdfs({ a: 'one\ntwo' }, { a: 'one\r\ntwo ' })).toEqual([]);
  });

  it('is empty when nothing differs, so nothing is written', () => {
    expect(diffUdfs({ a: 'x' }, { a: 'x' })).toEqual([]);
  });

  it('treats a null dictionary as empty', () => {
    expect(diffUdfs({ a: 'x' }, null)).toEqual([{ key: 'a', old: '', new: 'x' }]);
  });
});

describe('fingerprints', () => {
  it('ignore case, spacing and domain order, and change with any fact the provider reads', () => {
    const print = companyFingerprint(robotics);
    expect(
      companyFingerprint({
        ...robotics,
        name: ' nordlys  robotics as ',
        domains: ['NORDLYS-ROBOTICS.NO'],
      }),
    ).toBe(print);
    expect(companyFingerprint({ ...robotics, website: 'https://other.example' })).not.toBe(print);
    for (const change of [
      { name: 'Other' },
      { orgNr: '1' },
      { country: 'Sweden' },
      { description: 'Bakery' },
      { domains: ['x.no'] },
    ]) {
      expect(companyFingerprint({ ...robotics, ...change })).not.toBe(print);
    }
  });

  it('of a person follow job title, position and the company', () => {
    const person = {
      firstName: 'Ingrid',
      lastName: 'Solberg',
      jobTitle: 'Head of Operations',
      position: 'Director',
    };
    const print = personFingerprint(person, 'c1');
    expect(personFingerprint({ ...person, lastName: 'Married-Name' }, 'c1')).toBe(print);
    expect(personFingerprint({ ...person, jobTitle: 'COO' }, 'c1')).not.toBe(print);
    expect(personFingerprint(person, 'c2')).not.toBe(print);
  });
});
