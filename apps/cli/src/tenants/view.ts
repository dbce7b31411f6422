import type { RedactedTenant, TenantRegistryView, TenantSourceName } from '@so-connector/tenants';
import { formatTable } from '../format/table';

/** One tenant of the registry's redacted view: no secret in it, only their presence and count. */
export type TenantEntry = TenantRegistryView['tenants'][number];

function auth(tenant: RedactedTenant): string {
  if (tenant.credentials === undefined) return 'none';
  return tenant.credentials.kind;
}

function webhookAuth(tenant: RedactedTenant): string {
  const secrets = tenant.webhookSecrets.length;
  const parts = [secrets === 1 ? '1 secret' : `${secrets} secrets`];
  if (secrets > 1) parts[0] += ' (rotating)';
  if (tenant.webhookToken !== undefined) parts.push('token');
  return parts.join(' + ');
}

function udfs(tenant: RedactedTenant): string {
  return Object.entries(tenant.udf)
    .filter(([, key]) => key !== undefined)
    .map(([field, key]) => `${field}=${key}`)
    .join(' ');
}

function budget(tenant: RedactedTenant): string {
  const { providerCallsPerHour: hour, superofficeCallsPerMinute: minute } = tenant.budget;
  const parts = [
    hour === undefined ? undefined : `${hour} provider calls/h`,
    minute === undefined ? undefined : `${minute} SuperOffice calls/min`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

/** `tenants list` as text: one row per tenant, then each source serving a last good set. */
export function formatTenantList(view: TenantRegistryView): string {
  const lines =
    view.tenants.length === 0
      ? [
          'no tenants: set SO_CONTEXT_IDENTIFIER, list them in TENANTS_FILE, or so-connector tenants add',
        ]
      : [
          formatTable(view.tenants, [
            { header: 'TENANT', value: (t) => t.contextIdentifier },
            { header: 'SOURCE', value: (t) => t.source },
            { header: 'SHADOWS', value: (t) => t.shadows.join(',') },
            { header: 'ENV', value: (t) => t.environment },
            { header: 'AUTH', value: auth },
            { header: 'WEBHOOK', value: webhookAuth },
            { header: 'PROVIDER', value: (t) => t.provider.provider },
            { header: 'UDFS', value: udfs, maxWidth: 90 },
          ]),
        ];
  for (const problem of view.problems)
    lines.push(`problem (${problem.source}, last good set kept): ${problem.message}`);
  return lines.join('\n');
}

const SOURCES: Record<TenantSourceName, string> = {
  environment: 'the environment (SO_CONTEXT_IDENTIFIER, WEBHOOK_SECRET, SO_REFRESH_TOKEN, …)',
  file: 'TENANTS_FILE',
  store: 'the tenant store in Redis (onboarded or so-connector tenants add)',
};

/** `tenants show` as text: every setting, secrets redacted. */
export function formatTenant(entry: TenantEntry): string {
  const rows: [string, string | number | undefined][] = [
    ['tenant', entry.contextIdentifier],
    ['source', SOURCES[entry.source]],
    ['shadows', entry.shadows.length ? `${entry.shadows.join(', ')} (ignored for it)` : undefined],
    ['environment', entry.environment],
    ['api base', entry.apiBaseUrl ?? 'from the tenant status endpoint'],
    ['token url', entry.tokenUrl],
    ['auth', auth(entry)],
    ['webhook', webhookAuth(entry)],
    ['udfs', udfs(entry) || 'none'],
    ['owner scope', entry.ownerScope.length ? entry.ownerScope.join(', ') : 'all accounts'],
    ['own associate', entry.ownAssociateId ?? 'learned from currentPrincipal'],
    ['budget', budget(entry)],
    [
      'provider',
      entry.provider.provider === 'builtin'
        ? 'builtin'
        : `${entry.provider.provider} ${entry.provider.baseUrl}`,
    ],
  ];
  const shown = rows.filter((row): row is [string, string | number] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
