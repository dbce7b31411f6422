export {
  ConfigError,
  loadReceiverConfig,
  loadWorkerConfig,
  type EnrichmentSettings,
  type SuperOfficeConfig,
  type UdfTargetsConfig,
  type WorkerConfig,
  type LogConfig,
  type LogLevel,
  type QueueConfig,
  type ReceiverConfig,
  type RedisConfig,
  type TenantConfig,
  type WebhookAuthConfig,
} from './load-config';
export { LOG_LEVELS, SECRET_VARIABLES } from './schema';
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
} from './cli-config';
