import type { BackfillRunView, BackfillSelection } from '@so-connector/queue';
import { markup, type SafeHtml } from '../html';
import type { Part } from './dashboard.page';
import { time } from './format';
import type { TenantScope } from '../links';
import { layout } from './layout';

const unreadable = markup`<p class="error">The backfill runs could not be read (Redis is not reachable).</p>`;

/** `owner 12, 14 · category 4 · target empty · since … · 120 ids · 60/min · cap 2000`. */
export function describeSelection(selection: BackfillSelection | undefined): string {
  if (!selection) return '(not recorded)';
  const parts: string[] = [selection.entities];
  if (selection.owners?.length) parts.push(`owner ${selection.owners.join(', ')}`);
  if (selection.categories?.length) parts.push(`category ${selection.categories.join(', ')}`);
  if (selection.businesses?.length) parts.push(`business ${selection.businesses.join(', ')}`);
  if (selection.targetEmpty) parts.push('target empty');
  if (selection.updatedSince) parts.push(`updated since ${selection.updatedSince}`);
  if (selection.ids) parts.push(`${selection.ids} ids`);
  parts.push(`${selection.ratePerMinute}/min`);
  if (selection.maxProviderCalls !== undefined) parts.push(`cap ${selection.maxProviderCalls}`);
  return parts.join(' · ');
}

const STATE_CLASS: Record<BackfillRunView['status'], string> = {
  running: 'RUNNING',
  completed: 'COMPLETED',
  stopped: 'SKIPPED',
  capped: 'QUEUED',
  'dry-run': 'SKIPPED',
};

function runRow(run: BackfillRunView): SafeHtml {
  const o = run.outcomes;
  return markup`<tr data-backfill="${run.runId}" data-status="${run.status}"><td><code>${run.runId}</code></td><td class="small">${describeSelection(run.selection)}</td><td><span class="status status-${STATE_CLASS[run.status]}">${run.status}</span></td><td class="num">${run.matched}</td><td class="num">${run.current}</td><td class="num">${run.enqueued}</td><td class="num">${o.enriched}</td><td class="num">${o.unchanged}</td><td class="num">${o.skipped}</td><td class="num">${o.providerCalls}</td><td>${time(run.startedAt)}</td><td>${time(run.finishedAt)}</td></tr>`;
}

/** `/admin/backfills`: each `so-connector backfill` run with its selection, state and counts. */
export function renderBackfills(
  scope: TenantScope,
  runs: Part<readonly BackfillRunView[]>,
  shown: number,
): string {
  let table: SafeHtml;
  if (!runs.ok) table = unreadable;
  else if (runs.value.length === 0)
    table = markup`<p class="muted" id="no-backfills">No backfill runs (kept 30 days). Start one with <code>so-connector backfill</code>.</p>`;
  else
    table = markup`<table id="backfills">
<thead><tr><th>run</th><th>selection</th><th>state</th><th class="num">matched</th><th class="num">current</th><th class="num">enqueued</th><th class="num">enriched</th><th class="num">unchanged</th><th class="num">skipped</th><th class="num">provider calls</th><th>started</th><th>finished</th></tr></thead>
<tbody>${runs.value.map(runRow)}</tbody>
</table>`;
  const body = markup`<h1>Backfill runs</h1>
<section class="card">${table}
<p class="muted small">Newest ${shown} at most. Matched, current (no read needed) and enqueued come from the run; enriched (written), unchanged, skipped and provider calls from its enrichments as they finish. Its enrichments appear in the sync runs with the cause <code>backfill:&lt;run&gt;</code>.</p></section>`;
  return layout({
    title: 'Backfill runs',
    scope,
    signedIn: true,
    banner: runs.ok ? undefined : 'Redis is not reachable: the backfill runs could not be read.',
    body,
  });
}
