import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment tenant's own variables: without them the environment names no tenant. */
const ENVIRONMENT_TENANT_VARIABLES = [
  'SO_CONTEXT_IDENTIFIER',
  'SO_REFRESH_TOKEN',
  'SO_API_BASE_URL',
  'SO_TOKEN_URL',
  'SO_UDF_VERTICAL',
  'SO_UDF_SUMMARY',
  'SO_UDF_OPENER',
  'SO_UDF_PERSON_OPENER',
] as const;

/**
 * Moves the environment's tenant into a TENANTS_FILE (JSON) of a fresh directory: the returned
 * environment has TENANTS_FILE and the app identity, and none of the tenant's own variables.
 * `remove()` deletes the directory.
 */
export function moveTenantToFile(env: Readonly<Record<string, string>>): {
  env: Record<string, string>;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'so-worker-tenants-'));
  const file = join(dir, 'tenants.json');
  const tenant = {
    contextIdentifier: env.SO_CONTEXT_IDENTIFIER,
    webhookSecrets: ['file-tenant-webhook-secret'],
    refreshToken: env.SO_REFRESH_TOKEN,
    apiBaseUrl: env.SO_API_BASE_URL,
    tokenUrl: env.SO_TOKEN_URL,
    udf: {
      vertical: env.SO_UDF_VERTICAL,
      summary: env.SO_UDF_SUMMARY,
      opener: env.SO_UDF_OPENER,
      personOpener: env.SO_UDF_PERSON_OPENER,
    },
  };
  writeFileSync(file, JSON.stringify({ tenants: [tenant] }));
  const rest: Record<string, string> = { ...env, TENANTS_FILE: file };
  for (const variable of ENVIRONMENT_TENANT_VARIABLES) delete rest[variable];
  return { env: rest, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
