import type { ConfigProblem } from '@so-connector/config';
import type { RedisDurabilityReport } from '@so-connector/queue';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  isConnectorWebhook,
  type Webhook,
} from '@so-connector/superoffice-client';
import { fail, pass, warn, type CheckResult, type CheckStatus } from './check-result';

export { skip, type CheckResult, type CheckStatus } from './check-result';
export { udfTargetChecks, verticalListCheck } from './udf-checks';

/** Every bad variable, one result each, so one run of doctor shows them all. */
export function configChecks(problems: readonly ConfigProblem[]): CheckResult[] {
  if (problems.length === 0) return [pass('config', 'every variable is valid')];
  return problems.map((p) =>
    fail('config', `${p.variable} ${p.message}`, `set ${p.variable} (docs/configuration.md)`),
  );
}

/** DESIGN.md's Redis requirements: `maxmemory-policy noeviction` and AOF. */
export function redisDurabilityChecks(report: RedisDurabilityReport): CheckResult[] {
  const out: CheckResult[] = [];
  if (report.evictionPolicy === undefined)
    out.push(
      warn(
        'redis-eviction',
        'maxmemory-policy unknown (INFO or CONFIG GET not allowed)',
        'make sure the policy is noeviction (managed Redis: its parameter group)',
      ),
    );
  else if (report.evictionPolicy !== 'noeviction')
    out.push(
      fail(
        'redis-eviction',
        `maxmemory-policy is ${report.evictionPolicy}: queued jobs can be evicted under memory pressure`,
        'CONFIG SET maxmemory-policy noeviction (and in redis.conf)',
      ),
    );
  else out.push(pass('redis-eviction', 'maxmemory-policy noeviction'));
  if (report.appendOnly === undefined)
    out.push(
      warn(
        'redis-aof',
        'appendonly unknown (INFO or CONFIG GET not allowed)',
        'make sure AOF persistence is on',
      ),
    );
  else if (!report.appendOnly)
    out.push(
      fail(
        'redis-aof',
        'appendonly is off: jobs accepted since the last snapshot are lost if Redis restarts',
        'CONFIG SET appendonly yes (and appendonly yes in redis.conf)',
      ),
    );
  else out.push(pass('redis-aof', 'appendonly yes'));
  return out;
}

/** The connector's webhook exists, is Active, points at this receiver and signs with our secret. */
export function webhookChecks(
  hooks: readonly Webhook[],
  options: {
    readonly publicUrl: string | undefined;
    /** The tenant's ContextIdentifier: its own route (`{publicUrl}/{ctx}`) counts as ours too. */
    readonly tenant?: string;
    readonly secrets: readonly string[];
    readonly lastErrors: ReadonlyMap<number, string>;
  },
): CheckResult[] {
  const ours = hooks.filter((h) => isConnectorWebhook(h, options.publicUrl, options.tenant));
  const register = `so-connector webhooks register --url ${options.publicUrl ?? '<the receiver’s https URL>'}`;
  if (ours.length === 0) {
    return [
      fail(
        'webhook',
        options.publicUrl
          ? `no webhook posts to WEBHOOK_PUBLIC_URL ${options.publicUrl} (${hooks.length} other webhook(s))`
          : `no webhook named so-connector* (${hooks.length} other webhook(s)); WEBHOOK_PUBLIC_URL is not set`,
        register,
      ),
    ];
  }
  const out: CheckResult[] = [];
  if (!options.publicUrl)
    out.push(
      warn(
        'webhook',
        'WEBHOOK_PUBLIC_URL is not set: the webhook was found by its name only',
        'set WEBHOOK_PUBLIC_URL to the receiver’s public URL',
      ),
    );
  for (const hook of ours) {
    const name = `webhook ${hook.WebhookId}`;
    if (hook.State !== 'Active') {
      const lastError = options.lastErrors.get(hook.WebhookId);
      out.push(
        fail(
          name,
          `state is ${hook.State ?? 'unknown'}: SuperOffice sends it nothing${lastError ? ` (last error: ${lastError})` : ''}`,
          `so-connector webhooks reactivate ${hook.WebhookId}, then so-connector replay --since <when it stopped>`,
        ),
      );
    } else out.push(pass(name, `Active → ${hook.TargetUrl ?? '?'}`));
    const missing = CONNECTOR_WEBHOOK_EVENTS.filter((e) => !(hook.Events ?? []).includes(e));
    if (missing.length > 0)
      out.push(
        warn(
          `${name} events`,
          `not subscribed to ${missing.join(', ')}`,
          'register the webhook again with the default events',
        ),
      );
    if (options.secrets.length === 0)
      out.push(
        warn(
          `${name} secret`,
          'WEBHOOK_SECRET is not set in this environment: cannot compare it with the webhook’s',
          'run doctor with the receiver’s environment',
        ),
      );
    else if (hook.Secret === null || hook.Secret === undefined || hook.Secret === '')
      out.push(
        warn(
          `${name} secret`,
          'SuperOffice did not return the webhook’s secret: cannot compare it',
        ),
      );
    else if (!options.secrets.includes(hook.Secret))
      out.push(
        fail(
          `${name} secret`,
          'the webhook signs with a secret that is not in WEBHOOK_SECRET: the receiver refuses every delivery with 401',
          'set WEBHOOK_SECRET to the secret printed at registration, or register again (so-connector webhooks register)',
        ),
      );
    else out.push(pass(`${name} secret`, 'signs with a secret in WEBHOOK_SECRET'));
  }
  return out;
}

/** Non-zero when any check failed. */
export function doctorExitCode(results: readonly CheckResult[]): 0 | 1 {
  return results.some((r) => r.status === 'FAIL') ? 1 : 0;
}

/** One line per check (`PASS  name  detail`), the fix indented below, then a summary line. */
export function formatChecks(results: readonly CheckResult[]): string {
  const name = (r: CheckResult) => (r.tenant === undefined ? r.check : `${r.tenant} ${r.check}`);
  const width = Math.max(...results.map((r) => name(r).length));
  const lines = results.flatMap((r) => [
    `${r.status.padEnd(4)}  ${name(r).padEnd(width)}  ${r.detail}`,
    ...(r.fix && r.status !== 'PASS' ? [`${' '.repeat(width + 8)}fix: ${r.fix}`] : []),
  ]);
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(
    '',
    `${count('PASS')} passed, ${count('WARN')} warnings, ${count('FAIL')} failed, ${count('SKIP')} skipped`,
  );
  return lines.join('\n');
}
