import { z } from 'zod';
import type { EnrichmentSettings } from '@so-connector/config';
import { ENVIRONMENTS, type Environment, type TenantConfig } from './tenant-config';

/** The same rule packages/config applies to SO_CONTEXT_IDENTIFIER. */
export const CONTEXT_IDENTIFIER = /^[A-Za-z0-9_-]+$/;

/** The default of PROVIDER_TIMEOUT_MS (packages/config), for a file provider that names none. */
const PROVIDER_TIMEOUT_MS = 30_000;
/** The default of OPENAI_MODEL (packages/config). */
const OPENAI_MODEL = 'gpt-4o-mini';

/** `is required` when the key is missing, else `expected <what>`. */
const expecting = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `expected ${what}`;

const text = (what = 'a string') =>
  z
    .string({ error: expecting(what) })
    .trim()
    .min(1, { error: 'must not be empty' });

const httpUrl = (what: string) =>
  z
    .string({ error: expecting(what) })
    .trim()
    .regex(/^https?:\/\/[^\s]+$/, { error: `expected ${what}` });

const udfKey = z
  .string({ error: expecting('a UDF ProgId such as SuperOffice:83') })
  .trim()
  .regex(/^[^\s]+$/, { error: 'expected a UDF ProgId such as SuperOffice:83' });

/** A whole number ≥ min; a string of digits is accepted too (what `env:NAME` resolves to). */
const wholeNumber = (min: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: expecting(`a whole number of at least ${min}`) })
      .int({ error: `expected a whole number of at least ${min}` })
      .min(min, { error: `expected a whole number of at least ${min}` }),
  );

const providerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('builtin') }),
    z.strictObject({
      type: z.literal('company-explorer'),
      url: httpUrl('the Company Explorer base URL'),
      apiKey: text(),
      timeoutMs: wholeNumber(100).optional(),
    }),
    z.strictObject({
      type: z.literal('openai'),
      url: httpUrl('an OpenAI-compatible base URL such as https://api.openai.com/v1'),
      apiKey: text(),
      model: text().optional(),
      timeoutMs: wholeNumber(100).optional(),
    }),
  ],
  { error: 'expected one of builtin, company-explorer, openai' },
);

/** One tenant as written in TENANTS_FILE (DESIGN.md "Many tenants"); unknown keys are errors. */
export const fileTenantSchema = z
  .strictObject(
    {
      contextIdentifier: z
        .string({ error: expecting('a tenant id such as Cust12345') })
        .trim()
        .regex(CONTEXT_IDENTIFIER, { error: 'expected a tenant id such as Cust12345' }),
      webhookSecrets: z
        .array(text(), { error: expecting('a list of secrets') })
        .min(1, { error: 'must list at least one secret' })
        .optional(),
      webhookToken: text().optional(),
      refreshToken: text().optional(),
      systemUserToken: text().optional(),
      environment: z
        .enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(', ')}` })
        .optional(),
      apiBaseUrl: httpUrl(
        'the tenant Api URL, e.g. https://online2.superoffice.com/Cust1/api',
      ).optional(),
      tokenUrl: httpUrl('the OAuth token endpoint URL').optional(),
      udf: z.strictObject(
        {
          vertical: udfKey.optional(),
          summary: udfKey.optional(),
          opener: udfKey.optional(),
          personOpener: udfKey.optional(),
        },
        { error: expecting('a mapping of vertical, summary, opener, personOpener') },
      ),
      ownerScope: z
        .array(
          z.union([z.number().int().min(1), text()], {
            error: 'expected an associate id or short name',
          }),
          {
            error: expecting('a list of associate ids or short names'),
          },
        )
        .optional(),
      ownAssociateId: wholeNumber(1).optional(),
      budget: z
        .strictObject(
          {
            providerCallsPerHour: wholeNumber(1).optional(),
            superofficeCallsPerMinute: wholeNumber(1).optional(),
          },
          { error: expecting('a mapping of providerCallsPerHour, superofficeCallsPerMinute') },
        )
        .optional(),
      provider: providerSchema.optional(),
    },
    { error: expecting('a mapping of tenant keys') },
  )
  .superRefine((tenant, ctx) => {
    if (tenant.webhookSecrets === undefined && tenant.webhookToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhookSecrets'],
        message: 'is required unless webhookToken is set',
      });
    }
    if (tenant.refreshToken === undefined && tenant.systemUserToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['refreshToken'],
        message: 'is required (or systemUserToken)',
      });
    }
    if (tenant.refreshToken !== undefined && tenant.systemUserToken !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['systemUserToken'],
        message: 'set either refreshToken or systemUserToken, not both',
      });
    }
    if (Object.values(tenant.udf).every((key) => key === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['udf'],
        message: 'set at least one of vertical, summary, opener, personOpener',
      });
    }
  });

export type FileTenant = z.output<typeof fileTenantSchema>;

/**
 * The whole TENANTS_FILE: `tenants:` and nothing else; contextIdentifiers are unique in any letter
 * case, as the receiver looks them up (TenantRegistry.find): with both `Cust2` and `CUST2`, a
 * delivery for `cust2` would go to whichever sorts first.
 */
export const tenantsFileSchema = z
  .strictObject(
    { tenants: z.array(fileTenantSchema, { error: expecting('a list of tenants') }) },
    { error: 'expected a mapping with a tenants list' },
  )
  .superRefine((file, ctx) => {
    const first = new Map<string, number>();
    file.tenants.forEach((tenant, index) => {
      const id = tenant.contextIdentifier;
      const earlier = first.get(id.toLowerCase());
      if (earlier === undefined) {
        first.set(id.toLowerCase(), index);
        return;
      }
      const spelled = file.tenants[earlier]!.contextIdentifier;
      ctx.addIssue({
        code: 'custom',
        path: ['tenants', index, 'contextIdentifier'],
        message:
          spelled === id
            ? `duplicates tenants[${earlier}]`
            : `duplicates tenants[${earlier}] (${spelled}) in another letter case; tenant ids are case-insensitive`,
      });
    });
  });

/** What a file tenant inherits when it leaves a key out: the deployment's own settings. */
export interface TenantDefaults {
  /** SO_ENVIRONMENT; `online` when not given. */
  readonly environment?: Environment;
  /** ENRICHMENT_PROVIDER and its settings; `builtin` when not given. */
  readonly provider?: EnrichmentSettings;
}

function providerSettings(
  provider: FileTenant['provider'],
  defaults: TenantDefaults,
): EnrichmentSettings {
  const fallback = defaults.provider ?? { provider: 'builtin' };
  if (provider === undefined) return fallback;
  const timeoutMs =
    provider.type === 'builtin'
      ? undefined
      : (provider.timeoutMs ??
        (fallback.provider === 'builtin' ? PROVIDER_TIMEOUT_MS : fallback.timeoutMs));
  switch (provider.type) {
    case 'builtin':
      return { provider: 'builtin' };
    case 'company-explorer':
      return {
        provider: 'company-explorer',
        baseUrl: provider.url,
        apiKey: provider.apiKey,
        timeoutMs: timeoutMs!,
      };
    case 'openai':
      return {
        provider: 'openai',
        baseUrl: provider.url,
        apiKey: provider.apiKey,
        model: provider.model ?? (fallback.provider === 'openai' ? fallback.model : OPENAI_MODEL),
        timeoutMs: timeoutMs!,
      };
  }
}

/** A validated file tenant with the deployment defaults filled in. */
export function fileTenantToConfig(tenant: FileTenant, defaults: TenantDefaults): TenantConfig {
  return {
    contextIdentifier: tenant.contextIdentifier,
    webhookSecrets: tenant.webhookSecrets ?? [],
    webhookToken: tenant.webhookToken,
    credentials:
      tenant.refreshToken !== undefined
        ? { kind: 'refresh-token', refreshToken: tenant.refreshToken }
        : { kind: 'system-user', systemUserToken: tenant.systemUserToken! },
    environment: tenant.environment ?? defaults.environment ?? 'online',
    apiBaseUrl: tenant.apiBaseUrl,
    tokenUrl: tenant.tokenUrl,
    udf: {
      vertical: tenant.udf.vertical,
      summary: tenant.udf.summary,
      opener: tenant.udf.opener,
      personOpener: tenant.udf.personOpener,
    },
    ownerScope: (tenant.ownerScope ?? []).map(String),
    ownAssociateId: tenant.ownAssociateId,
    budget: {
      providerCallsPerHour: tenant.budget?.providerCallsPerHour,
      superofficeCallsPerMinute: tenant.budget?.superofficeCallsPerMinute,
    },
    provider: providerSettings(tenant.provider, defaults),
  };
}
