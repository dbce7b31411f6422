export {
  ENVIRONMENTS,
  REDACTED,
  redactTenant,
  type Environment,
  type RedactedTenant,
  type TenantBudget,
  type TenantConfig,
  type TenantCredentials,
  type TenantUdfMap,
} from './tenant-config';
export type { EnvMap } from './env-ref';
export { parseSecretsKey } from './crypto';
export {
  StoredTenantError,
  TenantDefinitionError,
  TenantSecretsError,
  TenantsFileError,
  type TenantIssue,
  type TenantSecretsErrorCode,
} from './errors';
export { CONTEXT_IDENTIFIER, type TenantDefaults } from './schema';
export {
  parseTenantDefinition,
  parseTenantDocument,
  parseTenantsFile,
  type ParseTenantDefinitionOptions,
  type ParseTenantsFileOptions,
} from './tenants-file';
export {
  defaultsFromWorkerConfig,
  tenantFromEnvironment,
  type EnvironmentTenantSource,
} from './env-shorthand';
export { TenantStore, type StoredTenants, type TenantStoreOptions } from './redis-store';
export type { FileSourceOptions } from './file-source';
export type { StoreSourceOptions } from './store-source';
export { SOURCE_PRECEDENCE, type TenantChange, type TenantSourceName } from './merge';
export {
  TenantRegistry,
  type TenantProblem,
  type TenantRegistryOptions,
  type TenantRegistryView,
} from './registry';
export { tenantSecretValues, trackTenantSecrets, type SecretSink } from './tenant-secrets';
export { openDeploymentRegistry, type DeploymentRegistryOptions } from './deployment-registry';
export {
  readReconsentMarks,
  readTenantFields,
  reconsentDeferredKey,
  reconsentKey,
  type ReconsentMark,
} from './reconsent-marks';
export {
  readTenantPause,
  tenantPauseKey,
  type PauseSource,
  type TenantPause,
} from './tenant-pauses';
