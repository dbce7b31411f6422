export { createLogger, logSecretValues, type Logger, type LoggerOptions } from './create-logger';
export { SecretValues, secretReplacer, type SecretReplacer } from './secret-values';
export { createRedactor, REDACTED, type Redactor } from './redact';
// Process lifecycle sits with logging: the infrastructure every process sets up once (STYLE.md 15).
export {
  assertStarting,
  createShutdownRegistry,
  StartAbortedError,
  type ShutdownRegistry,
} from './shutdown';
export { trapStopSignals, type StopSignal, type StopSignals } from './stop-signals';
