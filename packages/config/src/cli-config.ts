import { z } from 'zod';
import type {
  EnrichmentSettings,
  LogConfig,
  RedisConfig,
  SuperOfficeConfig,
  TenantConfig,
  UdfTargetsConfig,
} from './config-types';
import { ConfigError, deepFreeze, enrichmentSettings } from './load-config';
import { receiverEnvSchema, SECRET_VARIABLES, workerEnvSchema } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/** One bad variable and what is wrong with it (the value itself is never included). */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * A part of the configuration that only some commands need: parsed up front, but its problems
 * are reported only when a command asks for it (`requireSection`).
 */
export type ConfigSection<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface CliWebhookConfig {
  /** WEBHOOK_PUBLIC_URL: the receiver's public URL, which marks this connector's webhooks. */
  readonly publicUrl: string | undefined;
  /** WEBHOOK_SECRET (current first): lets `doctor` compare it with the registered webhook's. */
  readonly secrets: readonly string[];
}

/** The operator CLI's configuration. Redis, queue and tenant are always required. */
export interface CliConfig {
  readonly redis: RedisConfig;
  readonly queue: { readonly prefix: string };
  readonly log: LogConfig;
  readonly tenant: TenantConfig;
  /** Retry policy of the enrichments the CLI enqueues (the worker's ENRICH_* settings). */
  readonly enrich: { readonly attempts: number; readonly maxWaitMs: number };
  readonly superoffice: ConfigSection<SuperOfficeConfig>;
  readonly udfs: ConfigSection<UdfTargetsConfig>;
  readonly enrichment: ConfigSection<EnrichmentSettings>;
  readonly webhook: ConfigSection<CliWebhookConfig>;
  /**
   * Problems of worker-only variables (concurrency, filters, intervals, …): the CLI does not use
   * them, but `doctor` reports them because the worker would refuse to start.
   */
  readonly workerProblems: readonly ConfigProblem[];
}

/** Every problem found, including those of the sections; `config` is undefined when the always-required part is invalid. */
export interface CliConfigInspection {
  readonly config: CliConfig | undefined;
  readonly problems: readonly ConfigProblem[];
}

const BASE_VARIABLES = [
  'REDIS_URL',
  'QUEUE_PREFIX',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'SO_CONTEXT_IDENTIFIER',
  'ENRICH_ATTEMPTS',
  'ENRICH_MAX_WAIT_MS',
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

const baseSchema = workerFields(BASE_VARIABLES);
const sectionSchemas = {
  superoffice: workerFields(SECTION_VARIABLES.superoffice),
  udfs: workerFields(SECTION_VARIABLES.udfs),
  enrichment: workerFields(SECTION_VARIABLES.enrichment),
  webhook: workerFields(SECTION_VARIABLES.webhook).extend({
    WEBHOOK_SECRET: receiverEnvSchema.shape.WEBHOOK_SECRET,
  }),
};

/** A tenant id that passes the tenant rule; see `crossFieldProblems`. */
const PLACEHOLDER_TENANT = 'Cust0';

function problemsOf(issues: readonly z.core.$ZodIssue[], env: Env): ConfigProblem[] {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (seen.has(variable)) continue;
    seen.add(variable);
    out.push({ variable, message: `${issue.message}${describeValue(variable, env)}` });
  }
  return out;
}

function describeValue(variable: string, env: Env): string {
  if (SECRET_VARIABLES.has(variable)) return '';
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return '';
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return ` (got ${JSON.stringify(shown)})`;
}

/**
 * The worker schema's problems, with its cross-field rules (credentials required, provider
 * settings, at least one UDF key). zod skips an object's refinements after some field failures
 * (a missing required field, a word outside an enum), so the rules would stay silent until the
 * operator fixed the first problem. Hence: the tenant is pinned to a valid placeholder (its own
 * problems come from the base schema), and the schema runs again with each failed variable
 * unset, until no new variable fails.
 */
function crossFieldProblems(env: Env): ConfigProblem[] {
  const found = new Map<string, ConfigProblem>();
  const probe: Record<string, string | undefined> = {
    ...env,
    SO_CONTEXT_IDENTIFIER: PLACEHOLDER_TENANT,
  };
  for (let pass = 0; pass < 3; pass++) {
    const result = workerEnvSchema.safeParse(probe);
    if (result.success) break;
    const fresh = problemsOf(result.error.issues, env).filter((p) => !found.has(p.variable));
    if (fresh.length === 0) break;
    for (const problem of fresh) {
      found.set(problem.variable, problem);
      probe[problem.variable] = undefined;
    }
  }
  return [...found.values()];
}

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
  const baseProblems = base.success ? [] : problemsOf(base.error.issues, env);
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
  }
  const problems = [
    ...baseProblems,
    ...bySection.superoffice,
    ...bySection.udfs,
    ...bySection.enrichment,
    ...bySection.webhook,
    ...bySection.worker,
  ];
  if (!base.success) return { config: undefined, problems };
  const b = base.data;
  const config: CliConfig = {
    redis: { url: b.REDIS_URL },
    queue: { prefix: b.QUEUE_PREFIX },
    log: { level: b.LOG_LEVEL, format: b.LOG_FORMAT },
    tenant: { contextIdentifier: b.SO_CONTEXT_IDENTIFIER },
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
      return { publicUrl: e.WEBHOOK_PUBLIC_URL, secrets: e.WEBHOOK_SECRET };
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
