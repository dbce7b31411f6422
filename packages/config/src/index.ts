export { ConfigError, loadReceiverConfig, loadWorkerConfig } from './load-config';
export type {
  EnrichmentSettings,
  SuperOfficeConfig,
  UdfTargetsConfig,
  WorkerConfig,
  LogConfig,
  LogLevel,
  QueueConfig,
  ReceiverConfig,
  RedisConfig,
  TenantConfig,
  TenantIdentity,
  TenantsSettings,
  WebhookAuthConfig,
} from './config-types';
export { LOG_LEVELS, MAX_QUEUE_PARTITIONS, SECRET_VARIABLES } from './schema';
export { EVENTS_CONCURRENCY_DEFAULT } from './worker-schema';
export type {
  ClusterRedis,
  RedisNodeAddress,
  RedisTlsSettings,
  RedisTopology,
  SentinelRedis,
  SingleRedis,
} from './redis-types';
export { parseNodeAddress } from './redis-env';
export type { TrustProxy } from './parsers';
export { exitOnConfigError } from './exit-on-error';
export { readEnvFile, withEnvFile } from './env-file';
export {
  inspectCliConfig,
  loadCliConfig,
  processEnvironment,
  requireSection,
  type CliConfig,
  type CliConfigInspection,
  type CliWebhookConfig,
  type ConfigProblem,
  type ConfigSection,
  type SuperOfficeAppConfig,
} from './cli-config';
export { decodeSecretsKey, SECRETS_KEY_BYTES, SECRETS_KEY_FORM } from './secrets-key';
export { appPrivateKeyProblem } from './app-key';
export {
  formatPasswordHash,
  parseAdminUsers,
  parsePasswordHash,
  type AdminUserConfig,
  type PasswordHash,
} from './admin-users';
