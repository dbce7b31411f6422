import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { thrownBy } from '../test/builders';
import { TenantsFileError } from './errors';
import { parseTenantsFile } from './tenants-file';

const PATH = '/etc/so/tenants.yaml';
const SECRETS = ['whsec-new-5c1d', 'whsec-old-77aa', 'rt-Cust1-0b9e', 'ce-key-41f0', 'sut-abc-123'];

const CUST1 = `
  - contextIdentifier: Cust1
    webhookSecrets: ["whsec-new-5c1d", "whsec-old-77aa"]
    refreshToken: "rt-Cust1-0b9e"
    udf: { vertical: "SuperOffice:83" }`;

function parseYaml(text: string, env: Record<string, string> = {}) {
  return parseTenantsFile(text, { path: PATH, env });
}

function errorOf(text: string, env: Record<string, string> = {}): TenantsFileError {
  return thrownBy(() => parseYaml(text, env), TenantsFileError);
}

describe('parseTenantsFile', () => {
  it('reads every key of the documented format, with env: references', () => {
    const tenants = parseTenantsFile(
      `
tenants:
  - contextIdentifier: Cust12345
    webhookSecrets: ["new", "old"]
    webhookToken: "legacy-token"
    refreshToken: "env:CUST12345_RT"
    environment: sod
    apiBaseUrl: "http://127.0.0.1:4010/Cust12345/api"
    tokenUrl: "http://127.0.0.1:4010/login/common/oauth/tokens"
    udf: { vertical: "SuperOffice:83", summary: "SuperOffice:84", opener: "SuperOffice:85", personOpener: "SuperOffice:12" }
    ownerScope: [12, "JD"]
    ownAssociateId: 99
    budget: { providerCallsPerHour: 500, superofficeCallsPerMinute: "env:SO_BUDGET" }
    provider: { type: company-explorer, url: "https://ce.example.com", apiKey: "env:CE_KEY" }
  - contextIdentifier: Cust2
    webhookToken: "t2"
    systemUserToken: "MyApp-abc"
    udf: { personOpener: "SuperOffice:12" }
    provider: { type: openai, url: "https://api.openai.com/v1", apiKey: "k", timeoutMs: 5000 }
`,
      {
        path: PATH,
        env: { CUST12345_RT: 'rt-from-env', CE_KEY: 'ce-from-env', SO_BUDGET: '300' },
        defaults: { environment: 'qaonline' },
      },
    );
    expect(tenants).toEqual([
      {
        contextIdentifier: 'Cust12345',
        webhookSecrets: ['new', 'old'],
        webhookToken: 'legacy-token',
        credentials: { kind: 'refresh-token', refreshToken: 'rt-from-env' },
        environment: 'sod',
        apiBaseUrl: 'http://127.0.0.1:4010/Cust12345/api',
        tokenUrl: 'http://127.0.0.1:4010/login/common/oauth/tokens',
        udf: {
          vertical: 'SuperOffice:83',
          summary: 'SuperOffice:84',
          opener: 'SuperOffice:85',
          personOpener: 'SuperOffice:12',
        },
        ownerScope: ['12', 'JD'],
        ownAssociateId: 99,
        budget: { providerCallsPerHour: 500, superofficeCallsPerMinute: 300 },
        provider: {
          provider: 'company-explorer',
          baseUrl: 'https://ce.example.com',
          apiKey: 'ce-from-env',
          timeoutMs: 30_000,
        },
      },
      {
        contextIdentifier: 'Cust2',
        webhookSecrets: [],
        webhookToken: 't2',
        credentials: { kind: 'system-user', systemUserToken: 'MyApp-abc' },
        environment: 'qaonline',
        apiBaseUrl: undefined,
        tokenUrl: undefined,
        udf: {
          vertical: undefined,
          summary: undefined,
          opener: undefined,
          personOpener: 'SuperOffice:12',
        },
        ownerScope: [],
        ownAssociateId: undefined,
        budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
        provider: {
          provider: 'openai',
          baseUrl: 'https://api.openai.com/v1',
          apiKey: 'k',
          model: 'gpt-4o-mini',
          timeoutMs: 5000,
        },
      },
    ]);
  });

  it('reads JSON too, and fills environment and provider from the deployment defaults', () => {
    const [tenant] = parseTenantsFile(
      JSON.stringify({
        tenants: [
          {
            contextIdentifier: 'Cust3',
            webhookSecrets: ['s'],
            refreshToken: 'r',
            udf: { summary: 'SuperOffice:84' },
          },
        ],
      }),
      {
        path: 'tenants.json',
        env: {},
        defaults: {
          environment: 'sod',
          provider: {
            provider: 'openai',
            baseUrl: 'https://o',
            apiKey: 'k',
            model: 'm',
            timeoutMs: 7,
          },
        },
      },
    );
    expect(tenant).toMatchObject({
      environment: 'sod',
      provider: { provider: 'openai', baseUrl: 'https://o', apiKey: 'k', model: 'm', timeoutMs: 7 },
    });
    expect(parseYaml('tenants: []')).toEqual([]);
  });

  it.each([
    [
      'a missing contextIdentifier (named by index)',
      `tenants:${CUST1}\n  - webhookSecrets: ["s"]\n    refreshToken: r\n    udf: { vertical: "SuperOffice:83" }`,
      'tenant tenants[1], key contextIdentifier: is required',
    ],
    [
      'an invalid contextIdentifier (named by index)',
      `tenants:\n  - contextIdentifier: "Cust 1"\n    webhookSecrets: ["s"]\n    refreshToken: r\n    udf: { vertical: "x" }`,
      'tenant tenants[0], key contextIdentifier: expected a tenant id such as Cust12345',
    ],
    [
      'a duplicate contextIdentifier',
      `tenants:${CUST1}${CUST1}`,
      'tenant Cust1, key contextIdentifier: duplicates tenants[0]',
    ],
    [
      'a contextIdentifier duplicated in another letter case (the receiver finds either)',
      `tenants:${CUST1}${CUST1.replace('Cust1', 'CUST1')}`,
      'tenant CUST1, key contextIdentifier: duplicates tenants[0] (Cust1) in another letter case; tenant ids are case-insensitive',
    ],
    [
      'an unknown key (strict)',
      `tenants:${CUST1}\n    refresh_token: "rt-Cust1-0b9e"`,
      'tenant Cust1, key refresh_token: is not a known key',
    ],
    [
      'an unknown nested key',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["s"]\n    refreshToken: r\n    udf: { vertical: "x", verticle: "y" }`,
      'tenant Cust1, key udf.verticle: is not a known key',
    ],
    ['an unknown top-level key', `tenants: []\ntenant: []`, 'key tenant: is not a known key'],
    [
      'no webhook secret and no token',
      `tenants:\n  - contextIdentifier: Cust1\n    refreshToken: "rt-Cust1-0b9e"\n    udf: { vertical: "x" }`,
      'tenant Cust1, key webhookSecrets: is required unless webhookToken is set',
    ],
    [
      'an empty webhook secret list',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: []\n    refreshToken: r\n    udf: { vertical: "x" }`,
      'tenant Cust1, key webhookSecrets: must list at least one secret',
    ],
    [
      'a blank webhook secret',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["whsec-new-5c1d", " "]\n    refreshToken: r\n    udf: { vertical: "x" }`,
      'tenant Cust1, key webhookSecrets[1]: must not be empty',
    ],
    [
      'no SuperOffice credential',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["s"]\n    udf: { vertical: "x" }`,
      'tenant Cust1, key refreshToken: is required (or systemUserToken)',
    ],
    [
      'two SuperOffice credentials',
      `tenants:${CUST1}\n    systemUserToken: "sut-abc-123"`,
      'tenant Cust1, key systemUserToken: set either refreshToken or systemUserToken, not both',
    ],
    [
      'no UDF at all',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["s"]\n    refreshToken: r\n    udf: {}`,
      'tenant Cust1, key udf: set at least one of vertical, summary, opener, personOpener',
    ],
    [
      'a missing udf map',
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["s"]\n    refreshToken: r`,
      'tenant Cust1, key udf: is required',
    ],
    [
      'a wrong environment',
      `tenants:${CUST1}\n    environment: stage`,
      'tenant Cust1, key environment: expected one of sod, qaonline, online',
    ],
    [
      'a URL that is not http(s)',
      `tenants:${CUST1}\n    apiBaseUrl: "ftp://x"`,
      'tenant Cust1, key apiBaseUrl: expected the tenant Api URL, e.g. https://online2.superoffice.com/Cust1/api',
    ],
    [
      'a budget that is not a whole number',
      `tenants:${CUST1}\n    budget: { providerCallsPerHour: 1.5 }`,
      'tenant Cust1, key budget.providerCallsPerHour: expected a whole number of at least 1',
    ],
    [
      'an ownAssociateId of the wrong type',
      `tenants:${CUST1}\n    ownAssociateId: "ninety-nine"`,
      'tenant Cust1, key ownAssociateId: expected a whole number of at least 1',
    ],
    [
      'an owner scope entry that is neither an id nor a name',
      `tenants:${CUST1}\n    ownerScope: [12, true]`,
      'tenant Cust1, key ownerScope[1]: expected an associate id or short name',
    ],
    [
      'an unknown provider type',
      `tenants:${CUST1}\n    provider: { type: gpt }`,
      'tenant Cust1, key provider.type: expected one of builtin, company-explorer, openai',
    ],
    [
      'a provider without its apiKey',
      `tenants:${CUST1}\n    provider: { type: company-explorer, url: "https://ce" }`,
      'tenant Cust1, key provider.apiKey: is required',
    ],
    [
      'an env: reference to an unset variable',
      `tenants:${CUST1}\n    provider: { type: company-explorer, url: "https://ce", apiKey: "env:CE_KEY" }`,
      'tenant Cust1, key provider.apiKey: refers to env:CE_KEY, which is not set',
    ],
    [
      'a tenant that is not a mapping',
      `tenants:\n  - Cust1`,
      'tenant tenants[0]: expected a mapping of tenant keys',
    ],
    ['tenants that are not a list', `tenants: Cust1`, 'key tenants: expected a list of tenants'],
    ['no tenants key', `{}`, 'key tenants: is required'],
    ['an empty file', ``, 'expected a mapping with a tenants list'],
    [
      'a YAML syntax error (position only: the parser would quote the line)',
      `tenants:\n  - contextIdentifier: Cust1\n    refreshToken: "rt-Cust1-0b9e\n`,
      'not valid YAML or JSON at line 4, column 1 (MISSING_CHAR)',
    ],
    [
      'a YAML duplicate key',
      `tenants:${CUST1}\n    refreshToken: "rt-Cust1-0b9e"`,
      'not valid YAML or JSON at line 6, column 5 (DUPLICATE_KEY)',
    ],
  ])('refuses %s with one line naming the tenant and key', (_, text, detail) => {
    const error = errorOf(text);
    expect(error.message).toBe(`[tenants] invalid TENANTS_FILE ${PATH}: ${detail}`);
    expect(error.message).not.toMatch(/\n/);
    for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  });

  it('refuses an alias bomb without expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    expect(errorOf(lines.join('\n')).message).toBe(
      `[tenants] invalid TENANTS_FILE ${PATH}: could not be parsed (ReferenceError)`,
    );
  });

  it('names every later spelling of a tenant id against the first one', () => {
    const error = errorOf(
      `tenants:${CUST1}${CUST1.replace('Cust1', 'cust1')}\n  - contextIdentifier: Cust10\n    webhookSecrets: ["s"]\n    refreshToken: r\n    udf: { vertical: "x" }${CUST1.replace('Cust1', 'CUST1')}`,
    );
    expect(error.issues).toEqual([
      {
        tenant: 'cust1',
        key: 'contextIdentifier',
        message:
          'duplicates tenants[0] (Cust1) in another letter case; tenant ids are case-insensitive',
      },
      {
        tenant: 'CUST1',
        key: 'contextIdentifier',
        message:
          'duplicates tenants[0] (Cust1) in another letter case; tenant ids are case-insensitive',
      },
    ]);
  });

  it('lists every problem of the file in the one line', () => {
    const error = errorOf(
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: ["env:A"]\n    refreshToken: "env:B"\n    udf: { vertical: "x" }`,
    );
    expect(error.message).toBe(
      `[tenants] invalid TENANTS_FILE ${PATH}: tenant Cust1, key webhookSecrets[0]: refers to env:A, which is not set; tenant Cust1, key refreshToken: refers to env:B, which is not set`,
    );
    expect(error.issues).toEqual([
      { tenant: 'Cust1', key: 'webhookSecrets[0]', message: 'refers to env:A, which is not set' },
      { tenant: 'Cust1', key: 'refreshToken', message: 'refers to env:B, which is not set' },
    ]);
  });

  it('never echoes a value that is invalid because of where it sits', () => {
    const error = errorOf(
      `tenants:\n  - contextIdentifier: Cust1\n    webhookSecrets: "whsec-new-5c1d"\n    refreshToken: ["rt-Cust1-0b9e"]\n    udf: { vertical: "x" }`,
    );
    expect(error.message).toBe(
      `[tenants] invalid TENANTS_FILE ${PATH}: tenant Cust1, key webhookSecrets: expected a list of secrets; tenant Cust1, key refreshToken: expected a string`,
    );
  });
});

describe('docs/tenants.md', () => {
  it('shows a TENANTS_FILE example that parses', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'tenants.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const [tenant] = parseTenantsFile(example!, {
      path: 'docs/tenants.md',
      env: { CUST12345_REFRESH_TOKEN: 'rt', CE_KEY: 'k' },
    });
    expect(tenant).toMatchObject({
      contextIdentifier: 'Cust12345',
      credentials: { kind: 'refresh-token', refreshToken: 'rt' },
      provider: { provider: 'company-explorer', apiKey: 'k' },
    });
  });
});
