import { z } from 'zod';
import { crossFieldProblems, problemsOf, type ConfigProblem } from './cli-problems';
import type { CliConfig, CliConfigInspection, ConfigSection } from './cli-config-types';
import { ConfigError, deepFreeze, enrichmentSettings } from './load-config';
import { REDIS_VARIABLES, redisTopology, refineRedis } from './redis-env';
import { receiverEnvSchema } from './schema';
import { workerEnvSchema } from './worker-schema';

export type { ConfigProblem } from './cli-problems';
export type {
  CliConfig,
  CliConfigInspection,
  CliWebhookConfig,
  ConfigSection,
  SuperOfficeAppConfig,
} from './cli-config-types';

type Env = Readonly<Record<string, string | undefined>>;

const BASE_VARIABLES = [
  ...REDIS_VARIABLES,
  'QUEUE_PREFIX',
  'QUEUE_PARTITIONS',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'SO_CONTEXT_IDENTIFIER',
  'TENANTS_FILE',
  'TENANT_SECRETS_KEY',
  'SO_APP_PRIVATE_KEY_FILE',
  'SCOPE_OWNER_ASSOCIATES',
  'ENRICH_ATTEMPTS',
  'ENRICH_MAX_WAIT_MS',
] as const;

/** The superoffice section's variables that describe the app, not the environment's tenant. */
const APP_VARIABLES = [
  'SO_CLIENT_ID',
  'SO_CLIENT_SECRET',
  'SO_REDIRECT_URI',
  'SO_UDF_WRITE_MODE',
  'SO_RATE_LIMIT_PER_SECOND',
  'OWN_ASSOCIATE_REFRESH_MS',
] as const;

const SECTION_VARIABLES = {
  superoffice: [
    'SO_CLIENT_ID',
    'SO_CLIENT_SECRET',
    'SO_REFRESH_TOKEN',
    'SO_REDIRECT_URI',
    'SO_ENVIRONMENT',
    'SO_API_BASE_URL',
    'SO_TOKEN_URL',
    'SO_UDF_WRITE_MODE',
    'SO_OWN_ASSOCIATE_ID',
    'SO_RATE_LIMIT_PER_SECOND',
    'OWN_ASSOCIATE_REFRESH_MS',
  ],
  udfs: ['SO_UDF_VERTICAL', 'SO_UDF_SUMMARY', 'SO_UDF_OPENER', 'SO_UDF_PERSON_OPENER'],
  enrichment: [
    'ENRICHMENT_PROVIDER',
    'COMPANY_EXPLORER_URL',
    'COMPANY_EXPLORER_API_KEY',
    'OPENAI_BASE_URL',
    'OPENAI_API_KEY',
    'OPENAI_MODEL',
    'PROVIDER_TIMEOUT_MS',
  ],
  webhook: ['WEBHOOK_PUBLIC_URL'],
} as const satisfies Record<string, readonly (keyof typeof workerEnvSchema.shape)[]>;

type SectionName = keyof typeof SECTION_VARIABLES;

/** The worker's own field parsers, picked by name: the CLI applies exactly the worker's rules. */
function workerFields<const K extends keyof typeof workerEnvSchema.shape>(keys: readonly K[]) {
  return z.object(
    Object.fromEntries(keys.map((key) => [key, workerEnvSchema.shape[key]])) as Pick<
      typeof workerEnvSchema.shape,
      K
    >,
  );
}

const tenantField = workerEnvSchema.shape.SO_CONTEXT_IDENTIFIER;
const baseSchema = workerFields(BASE_VARIABLES)
  .extend({
    SO_CONTEXT_IDENTIFIER: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      tenantField.optional(),
    ),
  })
  .superRefine(refineRedis);

/**
 * SO_CONTEXT_IDENTIFIER's "is required" problem, unless tenants can come from TENANTS_FILE or the
 * store (TENANT_SECRETS_KEY), where `--tenant` picks one.
 */
function missingTenantProblems(env: Env, given: string | undefined): ConfigProblem[] {
  if (given !== undefined || env.TENANTS_FILE?.trim() || env.TENANT_SECRETS_KEY?.trim()) return [];
  const result = z.object({ SO_CONTEXT_IDENTIFIER: tenantField }).safeParse({});
  return result.success ? [] : problemsOf(result.error.issues, env);
}

const byBaseOrder = (a: ConfigProblem, b: ConfigProblem) =>
  (BASE_VARIABLES as readonly string[]).indexOf(a.variable) -
  (BASE_VARIABLES as readonly string[]).indexOf(b.variable);
const sectionSchemas = {
  superoffice: workerFields(SECTION_VARIABLES.superoffice),
  app: workerFields(APP_VARIABLES),
  udfs: workerFields(SECTION_VARIABLES.udfs),
  enrichment: workerFields(SECTION_VARIABLES.enrichment),
  webhook: workerFields(SECTION_VARIABLES.webhook).extend({
    WEBHOOK_SECRET: receiverEnvSchema.shape.WEBHOOK_SECRET,
    WEBHOOK_TOKEN: receiverEnvSchema.shape.WEBHOOK_TOKEN,
  }),
};

function sectionOf(variable: string): SectionName | 'base' | 'worker' {
  if ((BASE_VARIABLES as readonly string[]).includes(variable)) return 'base';
  for (const [name, variables] of Object.entries(SECTION_VARIABLES)) {
    if ((variables as readonly string[]).includes(variable)) return name as SectionName;
  }
  return 'worker';
}

function section<T>(problems: readonly ConfigProblem[], build: () => T): ConfigSection<T> {
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: build() };
}

/**
 * Parses the CLI's environment without throwing: every bad variable is reported, those of the
 * always-required part (Redis, queue, tenant) and those of the sections that only some commands
 * need (SuperOffice, UDF keys, enrichment provider, webhook), with the worker's own rules.
 */
export function inspectCliConfig(env: Env): CliConfigInspection {
  const base = baseSchema.safeParse(env);
  const baseProblems = [
    ...(base.success ? [] : problemsOf(base.error.issues, env)),
    ...missingTenantProblems(
      env,
      base.success
        ? base.data.SO_CONTEXT_IDENTIFIER
        : env.SO_CONTEXT_IDENTIFIER?.trim() || undefined,
    ),
  ].sort(byBaseOrder);
  const bySection: Record<SectionName | 'worker', ConfigProblem[]> = {
    superoffice: [],
    udfs: [],
    enrichment: [],
    webhook: [],
    worker: [],
  };
  for (const problem of crossFieldProblems(env)) {
    const name = sectionOf(problem.variable);
    if (name !== 'base') bySection[name].push(problem);
    // A worker rule on a variable the base accepts (SO_CONTEXT_IDENTIFIER is required when
    // SO_REFRESH_TOKEN is set): the worker stops on it, the CLI does not.
    else if (!baseProblems.some((p) => p.variable === problem.variable))
      bySection.worker.push(problem);
  }
  const problems = [
    ...baseProblems,
    ...bySection.superoffice,
    ...bySection.udfs,
    ...bySection.enrichment,
    ...bySection.webhook,
    ...bySection.worker,
  ];
  if (!base.success || baseProblems.length > 0) return { config: undefined, problems };
  const b = base.data;
  const environment = workerEnvSchema.shape.SO_ENVIRONMENT.safeParse(env.SO_ENVIRONMENT);
  const appProblems = bySection.superoffice.filter((p) =>
    (APP_VARIABLES as readonly string[]).includes(p.variable),
  );
  const config: CliConfig = {
    redis: redisTopology(b),
    queue: { prefix: b.QUEUE_PREFIX, partitions: b.QUEUE_PARTITIONS },
    log: { level: b.LOG_LEVEL, format: b.LOG_FORMAT },
    tenant:
      b.SO_CONTEXT_IDENTIFIER === undefined
        ? undefined
        : { contextIdentifier: b.SO_CONTEXT_IDENTIFIER },
    tenants: { file: b.TENANTS_FILE, secretsKey: b.TENANT_SECRETS_KEY },
    appPrivateKeyFile: b.SO_APP_PRIVATE_KEY_FILE,
    superofficeEnvironment: environment.success ? environment.data : 'online',
    scopeOwnerAssociates: b.SCOPE_OWNER_ASSOCIATES,
    enrich: { attempts: b.ENRICH_ATTEMPTS, maxWaitMs: b.ENRICH_MAX_WAIT_MS },
    superoffice: section(bySection.superoffice, () => {
      const e = sectionSchemas.superoffice.parse(env);
      return {
        environment: e.SO_ENVIRONMENT,
        clientId: e.SO_CLIENT_ID!,
        clientSecret: e.SO_CLIENT_SECRET!,
        refreshToken: e.SO_REFRESH_TOKEN!,
        redirectUri: e.SO_REDIRECT_URI,
        apiBaseUrl: e.SO_API_BASE_URL,
        tokenUrl: e.SO_TOKEN_URL,
        udfWriteMode: e.SO_UDF_WRITE_MODE,
        rateLimitPerSecond: e.SO_RATE_LIMIT_PER_SECOND,
        ownAssociateId: e.SO_OWN_ASSOCIATE_ID,
        ownAssociateRefreshMs: e.OWN_ASSOCIATE_REFRESH_MS,
      };
    }),
    app: section(appProblems, () => {
      const e = sectionSchemas.app.parse(env);
      return {
        clientId: e.SO_CLIENT_ID!,
        clientSecret: e.SO_CLIENT_SECRET!,
        redirectUri: e.SO_REDIRECT_URI,
        udfWriteMode: e.SO_UDF_WRITE_MODE,
        rateLimitPerSecond: e.SO_RATE_LIMIT_PER_SECOND,
        ownAssociateRefreshMs: e.OWN_ASSOCIATE_REFRESH_MS,
      };
    }),
    udfs: section(bySection.udfs, () => {
      const e = sectionSchemas.udfs.parse(env);
      return {
        vertical: e.SO_UDF_VERTICAL,
        summary: e.SO_UDF_SUMMARY,
        opener: e.SO_UDF_OPENER,
        personOpener: e.SO_UDF_PERSON_OPENER,
      };
    }),
    enrichment: section(bySection.enrichment, () =>
      enrichmentSettings(sectionSchemas.enrichment.parse(env)),
    ),
    webhook: section(bySection.webhook, () => {
      const e = sectionSchemas.webhook.parse(env);
      return { publicUrl: e.WEBHOOK_PUBLIC_URL, secrets: e.WEBHOOK_SECRET, token: e.WEBHOOK_TOKEN };
    }),
    workerProblems: bySection.worker,
  };
  return { config: deepFreeze(config), problems };
}

function configError(problems: readonly ConfigProblem[]): ConfigError {
  return new ConfigError(
    `invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`,
    problems.map((p) => p.variable),
  );
}

/**
 * Reads the CLI's configuration. Only Redis, queue and tenant variables must be valid here, so
 * the commands that need nothing else (`failed`, `enrich`, `replay`) work without SuperOffice
 * credentials; the other sections are checked when a command takes them with `requireSection`.
 * @throws ConfigError naming each invalid always-required variable.
 */
export function loadCliConfig(env: Env = process.env): CliConfig {
  const { config, problems } = inspectCliConfig(env);
  if (config) return config;
  throw configError(problems.filter((p) => sectionOf(p.variable) === 'base'));
}

/**
 * The value of a section, for a command that needs it.
 * @throws ConfigError with one line naming each bad variable of the section.
 */
export function requireSection<T>(section: ConfigSection<T>): T {
  if (section.ok) return section.value;
  throw configError(section.problems);
}

/** The process environment, for an app's `main.ts` to pass on (only this package reads it). */
export function processEnvironment(): Env {
  return process.env;
}
