import type { SyncRun, WebhookHealth } from '@so-connector/sync-runs';
import { markup, type SafeHtml } from '../html';
import { TENANTS_HREF, type TenantScope } from '../links';
import type { Part } from './dashboard.page';
import { statusBadge, time } from './format';
import { layout } from './layout';
import type { TenantStatus } from '../tenant-status';
import { statusCells } from './tenant-status.page';

/** One tenant's line on `/admin/tenants`; each part read on its own, so one failure shows alone. */
export interface TenantRow {
  readonly scope: TenantScope;
  readonly health: Part<WebhookHealth | undefined>;
  /** The tenant's most recent sync run, if any is retained. */
  readonly lastRun: Part<SyncRun | undefined>;
  /** Last event, re-consent mark and budget use. */
  readonly status: Part<TenantStatus>;
}

export interface TenantsView {
  readonly rows: readonly TenantRow[];
  /** How many tenants are registered (more than rows when the list is cut). */
  readonly total: number;
  readonly banner: string | undefined;
  /** Seen by a tenant admin: only its tenants, no "Connect", no Bull Board. */
  readonly restricted: boolean;
}

const UNREADABLE = markup`<span class="error">not readable</span>`;
const NONE = markup`<span class="muted">–</span>`;

/** `all 2 active`, `1 of 2 not active: TooManyErrors`, or `no check yet`. */
export function webhookSummary(health: WebhookHealth | undefined): {
  text: string;
  ok: boolean | undefined;
} {
  if (!health) return { text: 'no check yet', ok: undefined };
  if (health.webhooks.length === 0) return { text: 'no webhook registered', ok: false };
  const bad = health.webhooks.filter((w) => w.state.toLowerCase() !== 'active');
  if (bad.length === 0) return { text: `all ${health.webhooks.length} active`, ok: true };
  const states = [...new Set(bad.map((w) => w.state))].join(', ');
  return { text: `${bad.length} of ${health.webhooks.length} not active: ${states}`, ok: false };
}

function healthCell(part: TenantRow['health']): SafeHtml {
  if (!part.ok) return UNREADABLE;
  const summary = webhookSummary(part.value);
  const cls = summary.ok === undefined ? 'muted' : summary.ok ? 'state-ok' : 'state-bad';
  return markup`<span class="${cls}">${summary.text}</span>`;
}

function lastRunCell(part: TenantRow['lastRun']): SafeHtml {
  if (!part.ok) return UNREADABLE;
  const run = part.value;
  if (!run) return NONE;
  return markup`${time(run.lastAt)} ${statusBadge(run.status)}`;
}

/** `/admin/tenants`: every tenant this deployment serves, with its webhook and latest activity. */
export function renderTenants(view: TenantsView): string {
  const rows = view.rows.map(
    (row) =>
      markup`<tr data-tenant="${row.scope.tenant}"><td><a href="${row.scope.base}">${row.scope.tenant}</a></td><td>${healthCell(row.health)}</td><td>${lastRunCell(row.lastRun)}</td>${statusCells(row.status)}<td><a href="${row.scope.base}/backfills">backfills</a></td></tr>`,
  );
  const table =
    view.rows.length === 0
      ? markup`<p class="muted" id="no-tenants">This connector serves no tenant yet.</p>`
      : markup`<table id="tenants">
<thead><tr><th>tenant</th><th>SuperOffice webhook</th><th>last sync run</th><th>last event</th><th>re-consent</th><th>budget this window</th><th></th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
  const cut =
    view.total > view.rows.length
      ? markup`<p class="muted small">The first ${view.rows.length} of ${view.total} tenants, by ContextIdentifier.</p>`
      : null;
  const connect = view.restricted
    ? null
    : markup`<p><a href="${TENANTS_HREF}/connect" id="connect-tenant">Connect a SuperOffice tenant</a></p>`;
  return layout({
    title: 'Tenants',
    signedIn: true,
    restricted: view.restricted,
    banner: view.banner,
    body: markup`<h1>Tenants</h1>
<section class="card">${table}${cut}</section>
${connect}`,
  });
}
