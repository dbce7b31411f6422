import { ConfigError } from '@so-connector/config';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import {
  StoredTenantError,
  TenantDefinitionError,
  TenantSecretsError,
  TenantsFileError,
} from '@so-connector/tenants';

/** Exit codes (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem: a doctor FAIL, a verify mismatch, no worker, a failed job. */
  failed: 1,
  /** Wrong arguments or options. */
  usage: 2,
  /** SuperOffice refused or failed: authentication, not found, a 4xx or 5xx, no answer. */
  superoffice: 3,
  /** Redis did not answer. */
  redis: 4,
  /** A bug: an error nobody expected (printed with its stack). */
  internal: 70,
  /** Invalid configuration (EX_CONFIG, as the receiver and worker use). */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: one line on stderr, no stack, this exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

const AUTH_HINT =
  'check SO_CLIENT_ID, SO_CLIENT_SECRET and SO_REFRESH_TOKEN (authorise the app again if the refresh token was revoked)';

/** The one line (and exit code) an error is reported with; `stack` only for unexpected errors. */
export function describeError(error: unknown): {
  message: string;
  exitCode: ExitCode;
  stack?: string | undefined;
} {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: error.message, exitCode: EXIT.config };
  // A tenant source that cannot load (its message names the tenant and key, never a value).
  if (
    error instanceof TenantsFileError ||
    error instanceof TenantSecretsError ||
    error instanceof StoredTenantError
  )
    return { message: error.message, exitCode: EXIT.config };
  if (error instanceof TenantDefinitionError)
    return { message: error.message, exitCode: EXIT.usage };
  if (error instanceof SuperOfficeError) {
    const hint = error.kind === 'auth' ? `; ${AUTH_HINT}` : '';
    return { message: `${error.message}${hint}`, exitCode: EXIT.superoffice };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: `unexpected error: ${message}`,
    exitCode: EXIT.internal,
    stack: error instanceof Error ? error.stack : undefined,
  };
}

/**
 * A refusal SuperOffice gave for one resource (404, 403, 400, …): worth naming and going on. Network
 * errors, 5xx, 429 and auth failures say nothing about the resource and are not refusals.
 */
export function isRefusal(error: unknown): error is SuperOfficeError {
  return error instanceof SuperOfficeError && !error.retryable && error.kind !== 'auth';
}
