import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  parseTenantDefinition,
  parseTenantDocument,
  redactTenant,
  type TenantConfig,
} from '@so-connector/tenants';
import { argsOf, UsageError, type Run } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { entryFromFlags, needsWebhookSecret, type AddFlags } from '../tenants/add-input';
import { tenantStore } from '../tenants/open-registry';
import { finishRotation, notStoredReason, startRotation } from '../tenants/rotation';
import { tenantDefaults } from '../tenants/settings';
import { formatTenant, formatTenantList, type TenantEntry } from '../tenants/view';
import { generateWebhookSecret } from './webhooks';

async function registryView(ctx: CliContext) {
  return (await ctx.tenantRegistry()).toJSON();
}

async function entryOf(ctx: CliContext, contextIdentifier: string): Promise<TenantEntry> {
  const entry = (await registryView(ctx)).tenants.find(
    (t) => t.contextIdentifier === contextIdentifier,
  );
  if (!entry)
    throw new CliError(
      `tenant ${contextIdentifier} is not served by this deployment (so-connector tenants list)`,
      EXIT.failed,
    );
  return entry;
}

/** The stored tenant that may be changed, or a CliError saying where it is defined instead. */
async function storedTenant(ctx: CliContext, contextIdentifier: string): Promise<TenantConfig> {
  const entry = await entryOf(ctx, contextIdentifier);
  const refusal = notStoredReason(
    contextIdentifier,
    entry.source,
    entry.shadows,
    ctx.config().tenants.file,
  );
  if (refusal) throw new CliError(refusal, EXIT.failed);
  // The store's definition is the one in force: the registry holds it as stored.
  return (await ctx.tenantRegistry()).get(contextIdentifier)!;
}

async function list(ctx: CliContext): Promise<undefined> {
  const view = await registryView(ctx);
  ctx.out.result(view, () => formatTenantList(view));
  return undefined;
}

async function show(ctx: CliContext, contextIdentifier: string): Promise<undefined> {
  const entry = await entryOf(ctx, contextIdentifier);
  ctx.out.result({ tenant: entry }, () => formatTenant(entry));
  return undefined;
}

function readDefinition(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function webhookHint(contextIdentifier: string): string {
  return `so-connector --tenant ${contextIdentifier} webhooks register --url https://<receiver>/webhooks/superoffice/${contextIdentifier} --secret-from-config`;
}

async function add(ctx: CliContext, flags: AddFlags): Promise<undefined> {
  const fromFlags = entryFromFlags(flags);
  const source = flags.file ?? 'the command line';
  const document: unknown =
    fromFlags ?? parseTenantDocument(readDefinition(flags.file!), flags.file!);
  const secret = needsWebhookSecret(document) ? generateWebhookSecret() : undefined;
  const config = ctx.config();
  const tenant = parseTenantDefinition(
    (secret ? { ...(document as object), webhookSecrets: [secret] } : document) as Record<
      string,
      unknown
    >,
    { source, env: ctx.io.env, defaults: tenantDefaults(config) },
  );
  const ctxId = tenant.contextIdentifier;
  const existing = (await registryView(ctx)).tenants.find((t) => t.contextIdentifier === ctxId);
  if (existing) {
    const refusal = notStoredReason(ctxId, existing.source, existing.shadows, config.tenants.file);
    if (refusal) throw new CliError(refusal, EXIT.failed);
    if (!flags.replace)
      throw new CliError(
        `tenant ${ctxId} is already stored; --replace overwrites it (its webhook secrets too)`,
        EXIT.failed,
      );
  }
  const store = tenantStore(config, await ctx.redis());
  await store.put(tenant);
  ctx.out.result(
    { tenant: { ...redactTenant(tenant), source: 'store' }, ...(secret ? { secret } : {}) },
    () =>
      [
        `${existing ? 'replaced' : 'stored'} tenant ${ctxId} (${store.key}, secrets encrypted); the receiver and the worker serve it within 5 s`,
        ...(secret
          ? [
              '',
              `Its webhook secret, shown only now: ${secret}`,
              'Register the tenant’s webhook signed with it:',
              `  ${webhookHint(ctxId)}`,
            ]
          : []),
      ].join('\n'),
  );
  return undefined;
}

async function remove(ctx: CliContext, contextIdentifier: string): Promise<undefined> {
  await storedTenant(ctx, contextIdentifier);
  const store = tenantStore(ctx.config(), await ctx.redis());
  await store.remove(contextIdentifier);
  ctx.out.result({ removed: contextIdentifier }, () =>
    [
      `removed tenant ${contextIdentifier} from the store; the receiver and the worker drop it within 5 s`,
      'Its webhook in SuperOffice still posts here (refused with 401): delete it there, or with',
      '`so-connector webhooks delete <id>` while the tenant was still served.',
    ].join('\n'),
  );
  return undefined;
}

/** Rewrites the stored tenant's secrets atomically (a concurrent change is read again, not lost). */
async function updateSecrets(
  ctx: CliContext,
  contextIdentifier: string,
  secrets: (current: readonly string[]) => string[],
): Promise<number> {
  const store = tenantStore(ctx.config(), await ctx.redis());
  const written = await store.update(contextIdentifier, (t) => ({
    ...t,
    webhookSecrets: secrets(t.webhookSecrets),
  }));
  if (!written) throw new CliError(`tenant ${contextIdentifier} is not in the store`, EXIT.failed);
  return written.webhookSecrets.length;
}

async function rotateSecret(
  ctx: CliContext,
  contextIdentifier: string,
  finish: boolean,
): Promise<number | undefined> {
  const stored = await storedTenant(ctx, contextIdentifier);
  if (finish) {
    if (!finishRotation(stored.webhookSecrets))
      throw new CliError(
        `tenant ${contextIdentifier} has one webhook secret: no rotation to finish`,
        EXIT.failed,
      );
    await updateSecrets(
      ctx,
      contextIdentifier,
      (current) => finishRotation(current) ?? [...current],
    );
    ctx.out.result({ tenant: contextIdentifier, secrets: 1 }, () =>
      [
        `tenant ${contextIdentifier}: rotation finished, only the new secret verifies now (within 5 s)`,
        'Delete the old webhook in SuperOffice if it still exists (so-connector webhooks list).',
      ].join('\n'),
    );
    return undefined;
  }
  const secret = generateWebhookSecret();
  const count = await updateSecrets(ctx, contextIdentifier, (current) =>
    startRotation(current, secret),
  );
  ctx.out.result({ tenant: contextIdentifier, secret, secrets: count }, () =>
    [
      `tenant ${contextIdentifier}: new webhook secret stored; the new and the old one both verify (within 5 s)`,
      '',
      `New secret, shown only now: ${secret}`,
      '',
      'Update the webhook in SuperOffice: register a webhook signed with the new secret, then',
      'delete the old webhook, then end the rotation:',
      `  ${webhookHint(contextIdentifier)}`,
      `  so-connector --tenant ${contextIdentifier} webhooks list     # the old one's id`,
      `  so-connector --tenant ${contextIdentifier} webhooks delete <old id>`,
      `  so-connector tenants rotate-secret ${contextIdentifier} --finish`,
    ].join('\n'),
  );
  return undefined;
}

function contextArg(command: Command): string {
  return argsOf(command)[0] ?? '';
}

/** `tenants list | show | add | remove | rotate-secret` (docs/cli.md, docs/tenants.md). */
export function registerTenants(program: Command, run: Run): void {
  const tenants = program
    .command('tenants')
    .description('the tenants this deployment serves: environment, TENANTS_FILE and store');
  tenants
    .command('list')
    .description('every tenant with its source and the sources it shadows (secrets redacted)')
    .action(run((ctx) => list(ctx)));
  tenants
    .command('show')
    .description('one tenant’s settings (secrets redacted)')
    .argument('<contextIdentifier>', 'e.g. Cust12345')
    .action(run((ctx, command) => show(ctx, contextArg(command))));
  tenants
    .command('add')
    .description(
      'store a tenant in Redis (encrypted with TENANT_SECRETS_KEY), from flags or a YAML/JSON file; values may be env:NAME',
    )
    .option('--file <path>', 'one TENANTS_FILE entry (YAML or JSON) instead of flags')
    .option('--context <contextIdentifier>', 'the tenant, e.g. Cust12345')
    .option('--refresh-token <token>', 'its refresh token (better: env:NAME)')
    .option('--system-user-token <token>', 'or its system user token (better: env:NAME)')
    .option(
      '--webhook-secret <secret>',
      'a webhook secret (repeat for a rotation; default: a fresh one, printed once)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--webhook-token <token>', 'the legacy ?token= (better: env:NAME)')
    .option('--environment <env>', 'sod | qaonline | online (default: SO_ENVIRONMENT)')
    .option('--api-base-url <url>', 'fixed API base (default: from the tenant status endpoint)')
    .option('--token-url <url>', 'OAuth token endpoint override')
    .option('--udf-vertical <progId>', 'contact UDF of the vertical, e.g. SuperOffice:83')
    .option('--udf-summary <progId>', 'contact UDF of the summary')
    .option('--udf-opener <progId>', 'contact UDF of the opener')
    .option('--udf-person-opener <progId>', 'person UDF of the opener')
    .option('--owner-scope <list>', 'comma-separated owner associates (ids or short names)')
    .option('--own-associate-id <id>', 'the API user’s associate id')
    .option('--provider-calls-per-hour <n>', 'budget: provider calls per hour')
    .option('--superoffice-calls-per-minute <n>', 'budget: SuperOffice calls per minute')
    .option('--replace', 'overwrite a tenant already stored')
    .action(run((ctx, command) => add(ctx, command.opts<AddFlags>())));
  tenants
    .command('remove')
    .description('remove a stored tenant (not one of the environment or TENANTS_FILE)')
    .argument('<contextIdentifier>', 'e.g. Cust12345')
    .action(run((ctx, command) => remove(ctx, contextArg(command))));
  tenants
    .command('rotate-secret')
    .description(
      'give a stored tenant a fresh webhook secret (new and old both verify); --finish drops the old',
    )
    .argument('<contextIdentifier>', 'e.g. Cust12345')
    .option('--finish', 'end the rotation: keep only the new secret')
    .action(
      run((ctx, command) =>
        rotateSecret(
          ctx,
          contextArg(command),
          Boolean(command.opts<{ finish?: boolean }>().finish),
        ),
      ),
    );
}
