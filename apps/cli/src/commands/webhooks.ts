import type { Command } from 'commander';
import { requireSection } from '@so-connector/config';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  CONNECTOR_WEBHOOK_NAME,
  generateWebhookSecret,
  isConnectorWebhook,
  SuperOfficeError,
  type Webhook,
} from '@so-connector/superoffice-client';
import { argsOf, positiveId, UsageError, type Run } from '../command';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../errors';
import { formatTable } from '../format/table';
import { checkTargetUrl } from '../webhooks/target-url';

/** A webhook as the CLI shows it: never its Secret. */
export interface WebhookView {
  readonly id: number;
  readonly name: string | null;
  readonly state: string | null;
  readonly targetUrl: string | null;
  readonly events: readonly string[];
  readonly connector: boolean;
  readonly lastError?: string | undefined;
}

function view(hook: Webhook, publicUrl: string | undefined, tenant: string): WebhookView {
  return {
    id: hook.WebhookId,
    name: hook.Name ?? null,
    state: hook.State ?? null,
    targetUrl: hook.TargetUrl ?? null,
    events: hook.Events ?? [],
    connector: isConnectorWebhook(hook, publicUrl, tenant),
  };
}

function publicUrlOf(ctx: CliContext): string | undefined {
  const section = ctx.config().webhook;
  return section.ok ? section.value.publicUrl : undefined;
}

export { generateWebhookSecret };

async function list(ctx: CliContext): Promise<number | undefined> {
  const client = ctx.superOffice().client;
  const publicUrl = publicUrlOf(ctx);
  const hooks: WebhookView[] = [];
  for (const hook of await client.listWebhooks()) {
    const v = view(hook, publicUrl, ctx.tenant);
    hooks.push(
      v.state === 'Active' ? v : { ...v, lastError: await client.getWebhookLastError(v.id) },
    );
  }
  ctx.out.result({ webhooks: hooks }, () => {
    if (hooks.length === 0)
      return 'no webhooks; register one with: so-connector webhooks register --url <https url>';
    const table = formatTable(hooks, [
      { header: 'ID', value: (h) => h.id },
      { header: 'STATE', value: (h) => h.state },
      { header: 'OURS', value: (h) => (h.connector ? 'yes' : '') },
      { header: 'NAME', value: (h) => h.name, maxWidth: 30 },
      { header: 'TARGET', value: (h) => h.targetUrl, maxWidth: 70 },
      { header: 'EVENTS', value: (h) => h.events.join(','), maxWidth: 80 },
    ]);
    const errors = hooks
      .filter((h) => h.lastError)
      .map((h) => `webhook ${h.id} last error: ${h.lastError!}`);
    return [table, ...errors].join('\n');
  });
  return undefined;
}

interface RegisterOptions {
  url: string;
  events?: string;
  name?: string;
  secretFromConfig?: boolean;
}

async function register(ctx: CliContext, opts: RegisterOptions): Promise<number | undefined> {
  const target = checkTargetUrl(opts.url);
  if (!target.ok) throw new UsageError(target.message);
  const events = opts.events
    ? opts.events
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
    : [...CONNECTOR_WEBHOOK_EVENTS];
  if (events.length === 0) throw new UsageError('--events needs at least one event name');
  const configured = opts.secretFromConfig
    ? requireSection(ctx.config().webhook).secrets[0]
    : undefined;
  if (opts.secretFromConfig && !configured)
    throw new UsageError('--secret-from-config: WEBHOOK_SECRET is not set');
  const secret = configured ?? generateWebhookSecret();
  const client = ctx.superOffice().client;
  const same = (await client.listWebhooks()).filter((h) => isConnectorWebhook(h, target.url));
  if (same.length > 0)
    ctx.out.note(
      `note: webhook ${same.map((h) => h.WebhookId).join(', ')} already posts to this URL; delete the old one after the receiver has the new secret`,
    );
  ctx.out.progress(`registering; SuperOffice test-pings ${target.url} first`);
  let created: Webhook;
  try {
    created = await client.createWebhook({
      Name: opts.name ?? CONNECTOR_WEBHOOK_NAME,
      Events: events,
      TargetUrl: target.url,
      Secret: secret,
    });
  } catch (error) {
    if (error instanceof SuperOfficeError && error.status === 400) {
      throw new CliError(
        `SuperOffice refused the webhook: ${error.errorMessage ?? error.message}. It test-pings the URL with the secret while saving and needs a 200: ${
          configured
            ? 'check that the receiver runs at that URL with this WEBHOOK_SECRET'
            : 'check that the receiver runs at that URL (so-connector’s receiver answers the ping whatever secret signed it; another receiver may need --secret-from-config)'
        }`,
        EXIT.superoffice,
      );
    }
    throw error;
  }
  const result = {
    webhook: view(created, target.url, ctx.tenant),
    // The freshly generated secret is printed here and nowhere else; a configured one never.
    ...(configured ? {} : { secret }),
  };
  ctx.out.result(result, () =>
    [
      `registered webhook ${created.WebhookId} (${created.State ?? '?'}) → ${target.url}`,
      `events: ${events.join(', ')}`,
      ...(configured
        ? ['signed with the first WEBHOOK_SECRET of this environment']
        : [
            '',
            'Put this secret in the receiver’s environment now (keep the old one after a comma during a rotation):',
            `WEBHOOK_SECRET=${secret}`,
            '',
            'It is shown only now; SuperOffice signs every delivery with it. Until the receiver has it,',
            'deliveries are refused with 401; the watchdog and the reconciliation sweep catch those up.',
          ]),
    ].join('\n'),
  );
  return undefined;
}

async function reactivate(ctx: CliContext, id: number): Promise<number | undefined> {
  const client = ctx.superOffice().client;
  const before = await client.getWebhook(id);
  const lastError = before.State === 'Active' ? undefined : await client.getWebhookLastError(id);
  const after = await client.activateWebhook(id);
  const result = {
    webhook: view(after, publicUrlOf(ctx), ctx.tenant),
    previousState: before.State ?? null,
    lastError,
  };
  ctx.out.result(result, () =>
    [
      `webhook ${id}: ${before.State ?? '?'} → ${after.State ?? '?'}`,
      ...(lastError ? [`last error before: ${lastError}`] : []),
      ...(before.State === 'Active'
        ? []
        : [
            'events dropped meanwhile are caught by: so-connector replay --since <when it stopped>',
          ]),
    ].join('\n'),
  );
  return after.State === 'Active' ? undefined : EXIT.failed;
}

async function remove(ctx: CliContext, id: number): Promise<number | undefined> {
  await ctx.superOffice().client.deleteWebhook(id);
  ctx.out.result({ deleted: id }, () => `deleted webhook ${id}`);
  return undefined;
}

/** `webhooks list | register | reactivate | delete`: the SuperOffice webhook API (superoffice-api.md 4). */
export function registerWebhooks(program: Command, run: Run): void {
  const webhooks = program.command('webhooks').description('manage the SuperOffice webhooks');
  webhooks
    .command('list')
    .description(
      'list the tenant’s webhooks (state, target, events; last error of those not Active)',
    )
    .action(run((ctx) => list(ctx)));
  webhooks
    .command('register')
    .description('register the connector’s webhook; prints a new WEBHOOK_SECRET')
    .requiredOption(
      '--url <url>',
      'the receiver’s public URL, e.g. https://so.example.com/webhooks/superoffice',
    )
    .option(
      '--events <events>',
      `comma-separated events (default: ${CONNECTOR_WEBHOOK_EVENTS.join(',')})`,
    )
    .option('--name <name>', `webhook name (default: ${CONNECTOR_WEBHOOK_NAME})`)
    .option(
      '--secret-from-config',
      'sign with the first WEBHOOK_SECRET of this environment instead of a new secret',
    )
    .action(run((ctx, command) => register(ctx, command.opts<RegisterOptions>())));
  webhooks
    .command('reactivate')
    .description('set a webhook back to Active (after TooManyErrors or Stopped)')
    .argument('<id>', 'webhook id (see webhooks list)')
    .action(
      run((ctx, command) => reactivate(ctx, positiveId(argsOf(command)[0] ?? '', 'webhook id'))),
    );
  webhooks
    .command('delete')
    .description('delete a webhook')
    .argument('<id>', 'webhook id (see webhooks list)')
    .action(run((ctx, command) => remove(ctx, positiveId(argsOf(command)[0] ?? '', 'webhook id'))));
}
