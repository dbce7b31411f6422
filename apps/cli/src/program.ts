import { Command, CommanderError } from 'commander';
import { readEnvFile, withEnvFile } from '@so-connector/config';
import { UsageError, type Action, type Run } from './command';
import { registerBackfill } from './commands/backfill';
import { registerCreateTestCompany } from './commands/create-test-company';
import { registerDiscover } from './commands/discover';
import { registerDoctor } from './commands/doctor';
import { registerEnrich } from './commands/enrich';
import { registerFailed } from './commands/failed';
import { registerRaw } from './commands/raw';
import { registerReplay } from './commands/replay';
import { registerTenants } from './commands/tenants';
import { registerVerify } from './commands/verify';
import { registerWebhooks } from './commands/webhooks';
import { registerWhoami } from './commands/whoami';
import { CliContext } from './context';
import { describeError, EXIT } from './errors';
import type { CliIo } from './io';

export interface RunCliOptions {
  /**
   * Aborted on SIGTERM/SIGINT (`main.ts`): the command stops where it is, its Redis connection and
   * queues are closed, and the run resolves with 0. What it queued stays queued (a `replay` job
   * still runs in the worker).
   */
  readonly stop?: AbortSignal;
  /**
   * How long Redis may take to answer before the command ends with exit code 4: to connect, and,
   * while the command runs, each PING of its connection (default REDIS_ANSWER_WITHIN_MS, 5 s).
   */
  readonly redisAnswerWithinMs?: number;
}

/**
 * Runs one CLI invocation in-process and resolves with its exit code; `main.ts` passes the
 * process's argv, environment and streams, tests their own. Never calls `process.exit`.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const contexts: CliContext[] = [];

  const run: Run =
    (action: Action) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const { json, envFile, tenant } = command.optsWithGlobals<{
        json?: boolean;
        envFile?: string;
        tenant?: string;
      }>();
      const env = envFile === undefined ? io.env : withEnvFile(io.env, readEnvFile(envFile));
      const ctx = new CliContext({ ...io, env }, Boolean(json), options.redisAnswerWithinMs);
      contexts.push(ctx);
      // A Redis that stops answering ends the command (exit 4) instead of leaving it waiting.
      await Promise.race([ctx.selectTenant(tenant), ctx.lost]);
      exitCode = (await Promise.race([action(ctx, command), ctx.lost])) ?? EXIT.ok;
    };

  const program = new Command('so-connector')
    .description('Operator commands for the SuperOffice connector (docs/cli.md)')
    .option('--json', 'print one JSON document on stdout instead of text')
    .option(
      '--env-file <path>',
      'read variables from this file too (e.g. .env.demo); the process environment wins',
    )
    .option(
      '--tenant <contextIdentifier>',
      'act on this tenant of the registry (environment, TENANTS_FILE, store); default: SO_CONTEXT_IDENTIFIER, or the only tenant',
    )
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    });
  program.configureHelp({ sortSubcommands: false });
  registerDoctor(program, run);
  registerWhoami(program, run);
  registerDiscover(program, run);
  registerVerify(program, run);
  registerRaw(program, run);
  registerCreateTestCompany(program, run);
  registerWebhooks(program, run);
  registerEnrich(program, run);
  registerFailed(program, run);
  registerReplay(program, run);
  registerBackfill(program, run);
  registerTenants(program, run);
  // Subcommands do not inherit these settings from the program: set them on each.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    });
  }

  try {
    const parsed = program.parseAsync([...argv], { from: 'user' });
    if ((await Promise.race([parsed, stopped(options.stop)])) === STOPPED) {
      io.stderr.write(`so-connector: stopped by ${describeStop(options.stop)}\n`);
      exitCode = EXIT.ok;
    }
  } catch (error) {
    exitCode = reportError(error, io);
  } finally {
    for (const ctx of contexts) await ctx.close();
  }
  return exitCode;
}

const STOPPED = Symbol('stopped');

/** Resolves when `signal` aborts; never when there is none. */
function stopped(signal: AbortSignal | undefined): Promise<typeof STOPPED> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve(STOPPED);
    else signal?.addEventListener('abort', () => resolve(STOPPED), { once: true });
  });
}

function describeStop(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'a stop signal';
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`so-connector: ${error.message}\n`);
    return EXIT.usage;
  }
  const { message, exitCode, stack } = describeError(error);
  io.stderr.write(`so-connector: ${message}\n`);
  if (stack) io.stderr.write(`${stack}\n`);
  return exitCode;
}
