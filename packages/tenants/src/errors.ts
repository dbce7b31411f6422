/** One problem in a tenant definition: which tenant, which key, what is wrong (never the value). */
export interface TenantIssue {
  /** The tenant's contextIdentifier, or `tenants[i]` when it has none (or an invalid one). */
  readonly tenant: string | undefined;
  /** Dotted key path inside the tenant (`udf.vertical`, `webhookSecrets[1]`), or the file's top key. */
  readonly key: string;
  readonly message: string;
}

/** TENANTS_FILE cannot be read or is invalid. `message` is one line; no secret value is in it. */
export class TenantsFileError extends Error {
  override readonly name = 'TenantsFileError';
  constructor(
    /** The file as given. */
    readonly path: string,
    /** Every problem found, in document order (empty when the file could not be read or parsed). */
    readonly issues: readonly TenantIssue[],
    detail: string,
  ) {
    super(`[tenants] invalid TENANTS_FILE ${path}: ${detail}`);
  }
}

/** One tenant definition (`so-connector tenants add`) is invalid; one line, no secret value. */
export class TenantDefinitionError extends Error {
  override readonly name = 'TenantDefinitionError';
  constructor(
    /** Where the definition came from. */
    readonly source: string,
    readonly issues: readonly TenantIssue[],
    detail: string,
  ) {
    super(`[tenants] invalid tenant (${source}): ${detail}`);
  }
}

export type TenantSecretsErrorCode =
  /** TENANT_SECRETS_KEY is not 32 bytes in hex or base64. */
  | 'bad-key'
  /** Stored tenants exist (or one is being stored) and no TENANT_SECRETS_KEY is set. */
  | 'missing-key'
  /** The value was encrypted under another key. */
  | 'wrong-key'
  /** The authentication tag does not match: the stored value was altered or truncated. */
  | 'tampered';

/** Encryption at rest failed; the message names the tenant and field, never a secret. */
export class TenantSecretsError extends Error {
  override readonly name = 'TenantSecretsError';
  constructor(
    readonly code: TenantSecretsErrorCode,
    message: string,
  ) {
    super(`[tenants] ${message}`);
  }
}

/** An onboarded tenant that cannot be stored, or a stored record that is damaged. */
export class StoredTenantError extends Error {
  override readonly name = 'StoredTenantError';
  constructor(
    readonly contextIdentifier: string,
    detail: string,
  ) {
    super(`[tenants] onboarded tenant ${contextIdentifier}: ${detail}`);
  }
}
