import { z } from 'zod';
import { decryptValue, encryptValue } from './crypto';
import { StoredTenantError } from './errors';
import { CONTEXT_IDENTIFIER } from './schema';
import { ENVIRONMENTS, mapSecrets, plainTenant, type TenantConfig } from './tenant-config';

const secret = z.string().min(1);
const optionalText = z.string().min(1).optional();
const count = z.number().int().min(1).optional();

/**
 * A TenantConfig as kept in Redis (JSON drops undefined keys). Onboarded tenants always have a
 * SuperOffice credential and a way to verify their webhooks.
 */
const storedTenantSchema = z
  .strictObject({
    contextIdentifier: z.string().regex(CONTEXT_IDENTIFIER),
    webhookSecrets: z.array(secret),
    webhookToken: optionalText,
    credentials: z.discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('refresh-token'), refreshToken: secret }),
        z.strictObject({ kind: z.literal('system-user'), systemUserToken: secret }),
      ],
      {
        error: (issue) =>
          issue.input === undefined ? 'is required' : 'expected a refresh-token or system-user',
      },
    ),
    environment: z.enum(ENVIRONMENTS),
    apiBaseUrl: optionalText,
    tokenUrl: optionalText,
    udf: z.strictObject({
      vertical: optionalText,
      summary: optionalText,
      opener: optionalText,
      personOpener: optionalText,
    }),
    ownerScope: z.array(z.string().min(1)),
    ownAssociateId: count,
    budget: z.strictObject({ providerCallsPerHour: count, superofficeCallsPerMinute: count }),
    provider: z.discriminatedUnion('provider', [
      z.strictObject({ provider: z.literal('builtin') }),
      z.strictObject({
        provider: z.literal('company-explorer'),
        baseUrl: z.string().min(1),
        apiKey: secret,
        timeoutMs: z.number().int().min(1),
      }),
      z.strictObject({
        provider: z.literal('openai'),
        baseUrl: z.string().min(1),
        apiKey: secret,
        model: z.string().min(1),
        timeoutMs: z.number().int().min(1),
      }),
    ]),
  })
  .refine((t) => t.webhookSecrets.length > 0 || t.webhookToken !== undefined, {
    path: ['webhookSecrets'],
    message: 'is required unless webhookToken is set',
  });

function validate(contextIdentifier: string, value: unknown): TenantConfig {
  const result = storedTenantSchema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
      .join('; ');
    throw new StoredTenantError(contextIdentifier, detail);
  }
  const t = result.data;
  return {
    contextIdentifier: t.contextIdentifier,
    webhookSecrets: t.webhookSecrets,
    webhookToken: t.webhookToken,
    credentials: t.credentials,
    environment: t.environment,
    apiBaseUrl: t.apiBaseUrl,
    tokenUrl: t.tokenUrl,
    udf: {
      vertical: t.udf.vertical,
      summary: t.udf.summary,
      opener: t.udf.opener,
      personOpener: t.udf.personOpener,
    },
    ownerScope: t.ownerScope,
    ownAssociateId: t.ownAssociateId,
    budget: {
      providerCallsPerHour: t.budget.providerCallsPerHour,
      superofficeCallsPerMinute: t.budget.superofficeCallsPerMinute,
    },
    provider: t.provider,
  };
}

/** Encryption context of one field: a value copied to another tenant or field will not decrypt. */
const contextOf = (contextIdentifier: string, field: string) =>
  `tenant ${contextIdentifier} ${field}`;

/**
 * The Redis form of a tenant: JSON with every secret encrypted (AES-256-GCM, its own random IV).
 * @throws StoredTenantError when the tenant is not one that can be stored.
 */
export function encodeStoredTenant(tenant: TenantConfig, key: Buffer): string {
  const checked = validate(
    tenant.contextIdentifier,
    JSON.parse(JSON.stringify(plainTenant(tenant))),
  );
  const sealed = mapSecrets(checked, (value, field) =>
    encryptValue(value, key, contextOf(tenant.contextIdentifier, field)),
  );
  return JSON.stringify({ v: 1, tenant: plainTenant(sealed) });
}

/**
 * Reads a value made by {@link encodeStoredTenant} from the hash field `contextIdentifier`.
 * @throws StoredTenantError for a damaged record; TenantSecretsError when a secret does not decrypt.
 */
export function decodeStoredTenant(
  contextIdentifier: string,
  stored: string,
  key: Buffer,
): TenantConfig {
  let record: unknown;
  try {
    record = JSON.parse(stored);
  } catch {
    throw new StoredTenantError(contextIdentifier, 'not JSON');
  }
  const { v, tenant } = (record ?? {}) as { v?: unknown; tenant?: unknown };
  if (v !== 1)
    throw new StoredTenantError(contextIdentifier, `unknown record version ${String(v)}`);
  const sealed = validate(contextIdentifier, tenant);
  if (sealed.contextIdentifier !== contextIdentifier) {
    throw new StoredTenantError(contextIdentifier, 'stored under another contextIdentifier');
  }
  return mapSecrets(sealed, (value, field) =>
    decryptValue(value, key, contextOf(contextIdentifier, field)),
  );
}
