import winston from 'winston';
import { createRedactor } from './redact';
import { SecretValues } from './secret-values';

export type Logger = winston.Logger;

export interface LoggerOptions {
  /** The process or component writing, e.g. `receiver`; on every line as `component`. */
  readonly component: string;
  readonly level: string;
  /** `json`: one JSON object per line (production); `pretty`: colourised text for a terminal. */
  readonly format: 'json' | 'pretty';
  /** Secret values that must never appear in output, even inside a message string. */
  readonly secrets?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a stream to read what was written. */
  readonly destination?: NodeJS.WritableStream;
}

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const SPLAT = Symbol.for('splat');

/**
 * The one logger factory. Redaction runs as the first format step, before any transport sees the
 * record, so no transport or formatter can leak what it removed. Correlate a request or job by
 * `logger.child({ eventId })`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secretValues = new SecretValues(options.secrets);
  const redact = createRedactor(secretValues);
  const redaction = winston.format((info) => {
    const clean = redact({ ...info }) as Record<string, unknown>;
    const out = clean as winston.Logform.TransformableInfo;
    // Winston's internal symbols are not enumerable by Object.entries; carry them over.
    const source = info as unknown as Record<symbol, unknown>;
    const target = out as unknown as Record<symbol, unknown>;
    for (const sym of [LEVEL, MESSAGE, SPLAT]) if (sym in source) target[sym] = source[sym];
    return out;
  });
  const output =
    options.format === 'json'
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.colorize(),
          winston.format.printf(({ timestamp, level, message, component, ...rest }) => {
            const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${level} [${String(component)}] ${String(message)}${extra}`;
          }),
        );
  // winston runs every format before its transports drop a line below the level, so a disabled
  // `http` or `debug` line would still be redacted and serialised; this gate drops it first.
  const levelGate = winston.format((info) => {
    const level = (info as unknown as Record<symbol, string | undefined>)[LEVEL] ?? info.level;
    return logger.isLevelEnabled(level) ? info : false;
  });
  const logger = winston.createLogger({
    level: options.level,
    defaultMeta: { component: options.component },
    format: winston.format.combine(levelGate(), redaction(), output),
    transports: [new winston.transports.Stream({ stream: options.destination ?? process.stdout })],
  });
  valuesOf.set(logger, secretValues);
  return logger;
}

const valuesOf = new WeakMap<object, SecretValues>();

/**
 * The secret values `logger` (made by createLogger, or a child of one) removes from its lines:
 * add a tenant's with `replace(ctx, values)` when it comes or changes, `delete(ctx)` when it goes.
 * Undefined for a logger made elsewhere.
 */
export function logSecretValues(logger: Logger): SecretValues | undefined {
  // winston's child() is Object.create(parent): walk up to the logger createLogger made.
  for (
    let at: object | null = logger;
    at !== null;
    at = Object.getPrototypeOf(at) as object | null
  ) {
    const values = valuesOf.get(at);
    if (values) return values;
  }
  return undefined;
}
