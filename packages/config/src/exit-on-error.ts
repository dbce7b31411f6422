import { ConfigError } from './load-config';

/**
 * Runs a config loader; on a ConfigError prints its single line to stderr and exits with code 78
 * (EX_CONFIG), so a wrong value stops the process with one clear line and no stack trace.
 */
export function exitOnConfigError<T>(load: () => T, processName: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${processName}] ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
