import { UsageError } from '../command';

/** `tenants add` flags (commander's camelCase names). */
export interface AddFlags {
  readonly file?: string;
  readonly context?: string;
  readonly refreshToken?: string;
  readonly systemUserToken?: string;
  readonly webhookSecret?: string[];
  readonly webhookToken?: string;
  readonly environment?: string;
  readonly apiBaseUrl?: string;
  readonly tokenUrl?: string;
  readonly udfVertical?: string;
  readonly udfSummary?: string;
  readonly udfOpener?: string;
  readonly udfPersonOpener?: string;
  readonly ownerScope?: string;
  readonly ownAssociateId?: string;
  readonly providerCallsPerHour?: string;
  readonly superofficeCallsPerMinute?: string;
  readonly replace?: boolean;
}

/** Flags that define the tenant (all but --file and --replace). */
const DEFINING = [
  'context',
  'refreshToken',
  'systemUserToken',
  'webhookSecret',
  'webhookToken',
  'environment',
  'apiBaseUrl',
  'tokenUrl',
  'udfVertical',
  'udfSummary',
  'udfOpener',
  'udfPersonOpener',
  'ownerScope',
  'ownAssociateId',
  'providerCallsPerHour',
  'superofficeCallsPerMinute',
] as const satisfies readonly (keyof AddFlags)[];

/** Drops the keys left undefined, so the schema sees only what was given. */
function defined(entries: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(entries).filter(([, value]) => value !== undefined);
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/**
 * The TENANTS_FILE entry the flags describe (key names as in the file, so the file's schema and
 * its error lines apply). Values may be `env:NAME`, as in the file.
 * @throws UsageError when both --file and defining flags are given, or neither.
 */
export function entryFromFlags(flags: AddFlags): Record<string, unknown> | undefined {
  const given = DEFINING.filter((name) => flags[name] !== undefined);
  if (flags.file !== undefined) {
    if (given.length)
      throw new UsageError(
        `give the tenant either as --file or as flags, not both (also given: ${given.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')})`,
      );
    return undefined;
  }
  if (flags.context === undefined)
    throw new UsageError('tenants add needs --context <contextIdentifier> (or --file <path>)');
  return defined({
    contextIdentifier: flags.context,
    webhookSecrets: flags.webhookSecret,
    webhookToken: flags.webhookToken,
    refreshToken: flags.refreshToken,
    systemUserToken: flags.systemUserToken,
    environment: flags.environment,
    apiBaseUrl: flags.apiBaseUrl,
    tokenUrl: flags.tokenUrl,
    udf:
      defined({
        vertical: flags.udfVertical,
        summary: flags.udfSummary,
        opener: flags.udfOpener,
        personOpener: flags.udfPersonOpener,
      }) ?? {},
    ownerScope: flags.ownerScope
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean),
    ownAssociateId: flags.ownAssociateId,
    budget: defined({
      providerCallsPerHour: flags.providerCallsPerHour,
      superofficeCallsPerMinute: flags.superofficeCallsPerMinute,
    }),
  });
}

/**
 * True when the entry names no way to verify its webhooks: `add` then generates a secret (as
 * `webhooks register` does) and prints it once.
 */
export function needsWebhookSecret(entry: unknown): boolean {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const { webhookSecrets, webhookToken } = entry as Record<string, unknown>;
  return webhookSecrets === undefined && webhookToken === undefined;
}
