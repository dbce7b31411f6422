import {
  ENTRY_STATUSES,
  type ActivityBucket,
  type EntryStatus,
  type SyncRun,
  type WebhookHealth,
} from '@so-connector/sync-runs';
import { activityChartSvg } from '../chart';
import { markup, type SafeHtml } from '../html';
import { runHref, type TenantScope } from '../links';
import type { AdminRedactor } from '../redact';
import { fieldList, type FieldNames } from './field-names';
import { statusBadge, time } from './format';
import { layout } from './layout';
import type { TenantStatus } from '../tenant-status';
import { statusSection } from './tenant-status.page';

/** One part of a page read from Redis: its value, or the fact that it could not be read. */
export type Part<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

export interface QueueCounts {
  readonly name: string;
  /** How many partitions the counts add up (QUEUE_PARTITIONS); 1 when absent. */
  readonly partitions?: number;
  readonly waiting: number;
  readonly delayed: number;
  readonly active: number;
  readonly failed: number;
}

export interface RunFilter {
  readonly status?: EntryStatus | undefined;
  readonly account?: string | undefined;
}

export interface DashboardView {
  readonly scope: TenantScope;
  readonly filter: RunFilter;
  readonly runs: Part<readonly SyncRun[]>;
  readonly health: Part<WebhookHealth | undefined>;
  /** Deployment-wide counts; undefined for a tenant admin (other tenants' jobs are in them). */
  readonly queues: Part<readonly QueueCounts[]> | undefined;
  readonly activity: Part<readonly ActivityBucket[]>;
  /** Last event, re-consent mark and budget use. */
  readonly status: Part<TenantStatus>;
  /** Names of the configured UDF keys (Vertical, Summary, …) for "fields written". */
  readonly fieldNames: FieldNames;
  /** Set when a part could not be read: the page is answered with 503 and this banner. */
  readonly banner: string | undefined;
}

const unreadable = (what: string) =>
  markup`<p class="error">${what} could not be read (Redis is not reachable).</p>`;

const NONE = markup`<span class="muted">–</span>`;

const ACTIVE_STATES = new Set(['active']);

function healthSection(part: DashboardView['health'], redact: AdminRedactor): SafeHtml {
  if (!part.ok) return unreadable('The webhook health');
  const health = part.value;
  if (!health)
    return markup`<p class="muted" id="webhook-health-none">no check yet: the worker's webhook watchdog has not reported.</p>`;
  const text = (value: string | undefined) => (value ? String(redact(value)) : undefined);
  const rows = health.webhooks.map((w) => {
    const state = ACTIVE_STATES.has(w.state.toLowerCase()) ? 'state-ok' : 'state-bad';
    const held = w.reactivationHeld
      ? markup`<div class="small muted" data-held="${w.id}">left parked since ${time(w.reactivationHeld.since)} (${w.reactivationHeld.checks} ${w.reactivationHeld.checks === 1 ? 'check' : 'checks'}, last ${time(w.reactivationHeld.at)}): ${text(w.reactivationHeld.reason)}; re-activated once it answers</div>`
      : null;
    return markup`<tr><td>${w.name} <span class="muted small">#${w.id}</span></td><td class="${state}">${w.state}${held}</td><td class="small">${w.events.join(', ')}</td><td class="error small">${text(w.lastError) ?? ''}</td></tr>`;
  });
  const alert = health.lastAlert
    ? markup` <span class="small">last ${time(health.lastAlert.at)}: webhook #${health.lastAlert.webhookId} was ${health.lastAlert.state}: <span class="error">${text(health.lastAlert.error)}</span></span>`
    : null;
  const checkError = health.checkError
    ? markup`<tr><th>check error</th><td class="error">${text(health.checkError)}</td></tr>`
    : null;
  const webhooks =
    rows.length > 0
      ? markup`<table class="small"><thead><tr><th>webhook</th><th>state</th><th>events</th><th>last error</th></tr></thead><tbody>${rows}</tbody></table>`
      : markup`<p class="state-bad">No connector webhook is registered.</p>`;
  return markup`<table id="webhook-health"><tbody>
<tr><th>last check</th><td>${time(health.checkedAt)}</td></tr>
<tr><th>last healthy</th><td>${time(health.lastHealthyAt)}</td></tr>
<tr><th>alerts (re-activations)</th><td>${health.alerts}${alert}</td></tr>
${checkError}
</tbody></table>
${webhooks}`;
}

function queuesSection(part: Part<readonly QueueCounts[]>): SafeHtml {
  if (!part.ok) return unreadable('The queue counts');
  const rows = part.value.map((q) =>
    (q.partitions ?? 1) > 1
      ? // Bull Board lists each partition; its overview shows them side by side.
        markup`<tr data-queue="${q.name}"><td><a href="/admin/queues">${q.name}</a> <span class="muted small">${q.partitions ?? 1} partitions</span></td><td class="num">${q.waiting}</td><td class="num">${q.delayed}</td><td class="num">${q.active}</td><td class="num${q.failed > 0 ? ' state-bad' : ''}">${q.failed}</td></tr>`
      : markup`<tr data-queue="${q.name}"><td><a href="/admin/queues/queue/${encodeURIComponent(q.name)}">${q.name}</a></td><td class="num">${q.waiting}</td><td class="num">${q.delayed}</td><td class="num">${q.active}</td><td class="num${q.failed > 0 ? ' state-bad' : ''}">${q.failed}</td></tr>`,
  );
  return markup`<table id="queue-counts">
<thead><tr><th>queue</th><th class="num">waiting</th><th class="num">delayed</th><th class="num">active</th><th class="num">failed</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function filterForm(filter: RunFilter, base: string): SafeHtml {
  const options = ENTRY_STATUSES.map(
    (s) => markup`<option value="${s}"${filter.status === s ? ' selected' : ''}>${s}</option>`,
  );
  const clear = filter.status || filter.account ? markup` <a href="${base}">clear</a>` : null;
  return markup`<form class="filters" method="get" action="${base}">
<label>status<select name="status"><option value="">all</option>${options}</select></label>
<label>account (name or id)<input type="search" name="account" value="${filter.account ?? ''}" placeholder="Acme or 42"></label>
<button class="primary" type="submit">Filter</button>${clear}
</form>`;
}

function runsTable(part: DashboardView['runs'], names: FieldNames, scope: TenantScope): SafeHtml {
  if (!part.ok) return unreadable('The sync runs');
  if (part.value.length === 0) return markup`<p class="muted" id="no-runs">No sync runs match.</p>`;
  const rows = part.value.map((run) => {
    const fields = [...new Set(run.fieldsWritten.map((f) => f.key))];
    const name = run.accountName ?? markup`<span class="muted">(name not read yet)</span>`;
    const owner = run.ownerName ? markup`<div class="muted small">${run.ownerName}</div>` : null;
    return markup`<tr data-run="${run.id}" data-status="${run.status}"><td><a href="${runHref(scope, run.accountId, run.id)}">${name}</a> <span class="muted small">#${run.accountId}</span>${owner}</td><td>${time(run.firstAt)}</td><td>${time(run.lastAt)}</td><td class="num">${run.events}</td><td>${statusBadge(run.status)}</td><td class="small">${fields.length > 0 ? fieldList(fields, names) : NONE}</td></tr>`;
  });
  return markup`<table id="runs">
<thead><tr><th>account</th><th>first event</th><th>last event</th><th class="num">events</th><th>status</th><th>fields written</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** `/admin`: sync runs with filters, webhook health, queue counts and the 24-hour activity chart. */
export function renderDashboard(view: DashboardView, redact: AdminRedactor): string {
  const chart = view.activity.ok
    ? activityChartSvg(view.activity.value)
    : unreadable('The activity counters');
  const body = markup`<h1>Sync runs</h1>
<section class="card">${filterForm(view.filter, view.scope.base)}${runsTable(view.runs, view.fieldNames, view.scope)}</section>
<div class="grid">
<section class="card"><h2>Tenant</h2>${statusSection(view.status)}</section>
<section class="card"><h2>SuperOffice webhook</h2>${healthSection(view.health, redact)}</section>
${view.queues ? markup`<section class="card"><h2>Queues</h2>${queuesSection(view.queues)}</section>` : null}
</div>
<section class="card"><h2>Activity, last 24 hours (UTC)</h2>${chart}</section>`;
  return layout({
    title: 'Sync runs',
    scope: view.scope,
    signedIn: true,
    banner: view.banner,
    body,
  });
}
