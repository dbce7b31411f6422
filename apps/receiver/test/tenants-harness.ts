import { writeFileSync } from 'node:fs';
import { TenantRegistry, tenantFromEnvironment } from '@so-connector/tenants';
import { TEST_TENANT } from '@so-connector/testing';
import { SECRET } from './receiver-harness';

/** Each file tenant's webhook secret: distinct per tenant, so a cross-tenant signature fails. */
export const secretOf = (ctx: string) => `whsec-${ctx}-0123456789abcdef`;
/** The legacy `?token=` of a file tenant declared with `{ token: true }`. */
export const tokenOf = (ctx: string) => `legacy-${ctx}-token`;

/** One TENANTS_FILE entry (the keys the worker needs too, so the file is valid as a whole). */
export function fileTenant(
  ctx: string,
  auth: { token?: boolean; secrets?: readonly string[] } = {},
): string {
  const credential = auth.token
    ? `webhookToken: "${tokenOf(ctx)}"`
    : `webhookSecrets: ${JSON.stringify(auth.secrets ?? [secretOf(ctx)])}`;
  return `  - contextIdentifier: ${ctx}
    ${credential}
    refreshToken: "rt-${ctx}"
    udf: { vertical: "SuperOffice:83" }
`;
}

/** Writes TENANTS_FILE with these tenants (`tenants: []` for none). */
export function writeTenantsFile(path: string, ...tenants: string[]): void {
  writeFileSync(path, tenants.length === 0 ? 'tenants: []\n' : `tenants:\n${tenants.join('')}`);
}

/**
 * The registry a deployment with TENANTS_FILE builds: the environment shorthand (TEST_TENANT with
 * the harness's SECRET, as startReceiverForTest configures it) plus the file, watched and polled
 * as in production (TenantRegistry's file source, default intervals).
 */
export function registryWithFile(path: string): Promise<TenantRegistry> {
  return TenantRegistry.create({
    environment: tenantFromEnvironment({
      tenant: { contextIdentifier: TEST_TENANT },
      webhook: { secrets: [SECRET], token: undefined },
    }),
    file: { path, env: {} },
  });
}
