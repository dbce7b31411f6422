export { createLogger, type Logger, type LoggerOptions } from './create-logger';
export { createRedactor, REDACTED, type Redactor } from './redact';
