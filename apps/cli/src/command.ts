import type { Command } from 'commander';
import type { CliContext } from './context';

/** A command's work: returns its exit code (undefined = 0). Expected failures throw CliError. */
export type Action = (ctx: CliContext, command: Command) => Promise<number | undefined>;

/** Wraps an action for commander: creates the context, records the exit code, closes after. */
export type Run = (action: Action) => (...args: unknown[]) => Promise<void>;

/** The positional arguments of a commander action, as strings. */
export function argsOf(command: Command): string[] {
  return command.args.map(String);
}

/** A whole, positive record or job number given on the command line. */
export function positiveId(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0) {
    throw new UsageError(`${what} must be a positive whole number (got ${JSON.stringify(text)})`);
  }
  return Number(text);
}

/** A wrong argument found after commander's own checks; exits with the usage code. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
