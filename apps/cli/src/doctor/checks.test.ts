import {
  configChecks,
  doctorExitCode,
  formatChecks,
  redisDurabilityChecks,
  udfTargetChecks,
  verticalListCheck,
  webhookChecks,
} from './checks';

describe('configChecks', () => {
  it('passes with no problems and fails once per bad variable', () => {
    expect(configChecks([])).toEqual([
      { check: 'config', status: 'PASS', detail: 'every variable is valid' },
    ]);
    expect(
      configChecks([
        { variable: 'PORT', message: 'expected a whole number' },
        { variable: 'SO_CLIENT_ID', message: 'is required' },
      ]).map((c) => [c.status, c.detail]),
    ).toEqual([
      ['FAIL', 'PORT expected a whole number'],
      ['FAIL', 'SO_CLIENT_ID is required'],
    ]);
  });
});

describe('redisDurabilityChecks', () => {
  it.each([
    [{ evictionPolicy: 'noeviction', appendOnly: true }, ['PASS', 'PASS']],
    [{ evictionPolicy: 'allkeys-lru', appendOnly: true }, ['FAIL', 'PASS']],
    [{ evictionPolicy: 'noeviction', appendOnly: false }, ['PASS', 'FAIL']],
    [{ evictionPolicy: undefined, appendOnly: undefined }, ['WARN', 'WARN']],
  ])('%j → %j', (report, statuses) => {
    expect(redisDurabilityChecks({ ...report, warnings: [] }).map((c) => c.status)).toEqual(
      statuses,
    );
  });
});

const layouts = {
  Contact: [
    {
      ProgId: 'SuperOffice:83',
      FieldLabel: 'Vertical',
      FieldType: 'Dropdown',
      MdoListName: 'udlist1',
    },
    { ProgId: 'SuperOffice:84', FieldLabel: 'AI summary', FieldType: 'LongText', TextLength: 2000 },
    { ProgId: 'SuperOffice:85', FieldLabel: 'Short', FieldType: 'ShortText', TextLength: 40 },
    { ProgId: 'SuperOffice:86', FieldLabel: 'Locked', FieldType: 'LongText', IsReadOnly: true },
    { ProgId: 'SuperOffice:87', FieldLabel: 'Flag', FieldType: 'Checkbox' },
  ],
  Person: [{ ProgId: '', UdefIdentity: 91, FieldLabel: 'AI opener', FieldType: 'LongText' }],
};

describe('udfTargetChecks', () => {
  const run = (udfs: Partial<Record<'vertical' | 'summary' | 'opener' | 'personOpener', string>>) =>
    udfTargetChecks(
      {
        vertical: undefined,
        summary: undefined,
        opener: undefined,
        personOpener: undefined,
        ...udfs,
      },
      layouts,
    ).map((c) => [c.check.replace('udf ', ''), c.status]);

  it('passes fitting fields, found by ProgId or SuperOffice:{UdefIdentity}', () => {
    expect(
      run({
        vertical: 'SuperOffice:83',
        summary: 'SuperOffice:84',
        personOpener: 'SuperOffice:91',
      }),
    ).toEqual([
      ['SO_UDF_VERTICAL', 'PASS'],
      ['SO_UDF_SUMMARY', 'PASS'],
      ['SO_UDF_OPENER', 'SKIP'],
      ['SO_UDF_PERSON_OPENER', 'PASS'],
    ]);
  });

  it('accepts a text field for the vertical but only text for the others', () => {
    expect(run({ vertical: 'SuperOffice:84', summary: 'SuperOffice:83' }).slice(0, 2)).toEqual([
      ['SO_UDF_VERTICAL', 'PASS'],
      ['SO_UDF_SUMMARY', 'FAIL'],
    ]);
  });

  it('fails a missing key, another owner’s key, a read-only field and a checkbox; warns on a short text', () => {
    expect(
      run({
        vertical: 'SuperOffice:87',
        summary: 'SuperOffice:86',
        opener: 'SuperOffice:85',
        personOpener: 'SuperOffice:84',
      }),
    ).toEqual([
      ['SO_UDF_VERTICAL', 'FAIL'],
      ['SO_UDF_SUMMARY', 'FAIL'],
      ['SO_UDF_OPENER', 'WARN'],
      ['SO_UDF_PERSON_OPENER', 'FAIL'],
    ]);
  });
});

describe('verticalListCheck', () => {
  const list = layouts.Contact[0]!;
  it('passes a list with items, ignoring deleted ones', () => {
    expect(
      verticalListCheck(list, [{ Name: 'Retail' }, { Name: 'Old', Deleted: true }]),
    ).toMatchObject({
      status: 'PASS',
      detail: 'list udlist1: 1 items (Retail)',
    });
  });
  it('fails an empty list and a list field without a list name', () => {
    expect(verticalListCheck(list, [{ Name: 'Old', Deleted: true }]).status).toBe('FAIL');
    expect(verticalListCheck({ ProgId: 'X', FieldType: 'List' }, undefined).status).toBe('FAIL');
  });
  it('names the list, the layout ids, the failed call and the udlist{listId} fix when the list cannot be read', () => {
    const live = {
      ProgId: 'SuperOffice:83',
      FieldType: 'List',
      MdoListName: 'udlist331',
      ListTableId: 136,
      UDListDefinitionId: 94,
    };
    const check = verticalListCheck(live, undefined, {
      call: 'GET /v1/MDOList/udlist331?flat=true',
      status: 404,
      message: 'not found',
    });
    expect(check).toMatchObject({ check: 'vertical-list', status: 'FAIL' });
    expect(check.detail).toBe(
      'list udlist331 of SuperOffice:83 cannot be read: GET /v1/MDOList/udlist331?flat=true answered HTTP 404 (layout: MdoListName udlist331, ListTableId 136, UDListDefinitionId 94); enrichment writes the other fields but not the vertical',
    );
    expect(check.fix).toContain('user-defined lists are read as udlist{listId}');
    expect(check.fix).toContain('so-connector raw GET /v1/MDOList/udlist94?flat=true');
    const denied = verticalListCheck({ ...live, MdoListName: 'udlist94' }, undefined, {
      call: 'GET /v1/MDOList/udlist94?flat=true',
      status: 403,
      message: 'denied',
    });
    expect(denied.fix).toContain('the API user also needs the right to read this list');
    expect(denied.fix).toContain('check the list’s id in SuperOffice admin');
  });
  it('does not read a Checkbox with a list name as a list (SuperOffice’s layout samples)', () => {
    expect(
      verticalListCheck(
        { ProgId: 'consequatur', FieldType: 'Checkbox', MdoListName: 'Kovacek-Schamberger' },
        undefined,
      ),
    ).toMatchObject({ status: 'PASS' });
  });
  it('skips without a vertical field and passes a text field', () => {
    expect(verticalListCheck(undefined, undefined).status).toBe('SKIP');
    expect(verticalListCheck(layouts.Contact[1], undefined).status).toBe('PASS');
  });
});

describe('webhookChecks', () => {
  const url = 'https://so.example.com/webhooks/superoffice';
  const hook = {
    WebhookId: 3,
    Name: 'so-connector',
    TargetUrl: url,
    State: 'Active',
    Secret: 's1',
    Events: ['contact.created', 'contact.changed', 'person.created', 'person.changed'],
  };
  const run = (hooks: object[], secrets: string[] = ['s1'], publicUrl: string | null = url) =>
    webhookChecks(hooks as never, {
      publicUrl: publicUrl ?? undefined,
      secrets,
      lastErrors: new Map([[3, 'HTTP 500']]),
    }).map((c) => [c.check, c.status]);

  it('passes an Active webhook at our URL with our secret', () => {
    expect(run([hook], ['s2', 's1'])).toEqual([
      ['webhook 3', 'PASS'],
      ['webhook 3 secret', 'PASS'],
    ]);
  });

  it('fails without a webhook at our URL, whatever its name', () => {
    expect(run([{ ...hook, TargetUrl: 'https://other.example.com/x' }])).toEqual([
      ['webhook', 'FAIL'],
    ]);
  });

  it('fails a parked webhook, naming its last error', () => {
    const checks = webhookChecks([{ ...hook, State: 'TooManyErrors' }] as never, {
      publicUrl: url,
      secrets: ['s1'],
      lastErrors: new Map([[3, 'HTTP 500']]),
    });
    expect(checks[0]).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('last error: HTTP 500'),
    });
  });

  it('fails a foreign secret, warns when it cannot compare, warns on missing events', () => {
    expect(run([hook], ['other'])[1]).toEqual(['webhook 3 secret', 'FAIL']);
    expect(run([hook], [])[1]).toEqual(['webhook 3 secret', 'WARN']);
    expect(run([{ ...hook, Secret: null }])[1]).toEqual(['webhook 3 secret', 'WARN']);
    expect(run([{ ...hook, Events: ['contact.changed'] }])[1]).toEqual([
      'webhook 3 events',
      'WARN',
    ]);
  });

  it('finds the webhook by name when WEBHOOK_PUBLIC_URL is unset, with a warning', () => {
    expect(run([hook], ['s1'], null)).toEqual([
      ['webhook', 'WARN'],
      ['webhook 3', 'PASS'],
      ['webhook 3 secret', 'PASS'],
    ]);
  });
});

describe('doctorExitCode and formatChecks', () => {
  const results = [
    { check: 'config', status: 'PASS' as const, detail: 'ok' },
    { check: 'redis-aof', status: 'FAIL' as const, detail: 'off', fix: 'turn it on' },
    { check: 'provider', status: 'WARN' as const, detail: 'slow' },
  ];
  it('exits 1 only when a check failed', () => {
    expect(doctorExitCode(results)).toBe(1);
    expect(doctorExitCode(results.filter((r) => r.status !== 'FAIL'))).toBe(0);
  });
  it('prints one aligned line per check, the fix below, and a summary', () => {
    expect(formatChecks(results)).toBe(
      [
        'PASS  config     ok',
        'FAIL  redis-aof  off',
        '                 fix: turn it on',
        'WARN  provider   slow',
        '',
        '1 passed, 1 warnings, 1 failed, 0 skipped',
      ].join('\n'),
    );
  });
});
