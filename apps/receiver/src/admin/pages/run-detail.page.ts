import type { RunEntry, SyncRun } from '@so-connector/sync-runs';
import { markup, type SafeHtml } from '../html';
import { bullBoardJobHref, type TenantScope } from '../links';
import type { AdminRedactor } from '../redact';
import { fieldName, type FieldNames } from './field-names';
import { statusBadge, time } from './format';
import { layout } from './layout';

type FieldChange = SyncRun['fieldsWritten'][number];

const NONE = markup`<span class="muted">–</span>`;

function changes(
  list: readonly FieldChange[] | undefined,
  text: (v: string) => string,
  names: FieldNames,
): SafeHtml {
  if (!list || list.length === 0) return NONE;
  return markup`${list.map(
    (f) =>
      markup`<div class="change"><b>${fieldName(f.key, names)}</b>: <span class="old">${text(f.old) || '(empty)'}</span> → <span class="new">${text(f.new) || '(empty)'}</span></div>`,
  )}`;
}

function entryRow(
  entry: RunEntry,
  text: (v: string) => string,
  names: FieldNames,
  scope: TenantScope,
  boardQueue: (queueName: string) => string,
): SafeHtml {
  const when = markup`${time(entry.firstAt)}${
    entry.at !== entry.firstAt
      ? markup`<div class="muted small">updated ${time(entry.at)}</div>`
      : null
  }`;
  const status = markup`${statusBadge(entry.status)}${
    entry.coveredBy ? markup`<div class="muted small">covered by ${entry.coveredBy}</div>` : null
  }`;
  const why = [entry.reason, entry.detail].filter((v): v is string => Boolean(v)).map(text);
  const calls = entry.calls
    ? markup`<span title="SuperOffice calls / provider calls / patches">${entry.calls.superoffice} / ${entry.calls.provider} / ${entry.calls.patches}</span>`
    : NONE;
  // Bull Board is the operator's: a tenant admin sees the job's name only.
  const job = !entry.job
    ? NONE
    : scope.restricted
      ? markup`${entry.job.queue} #${entry.job.id}`
      : markup`<a href="${bullBoardJobHref(boardQueue(entry.job.queue), entry.job.id)}">${entry.job.queue} #${entry.job.id}</a>`;
  return markup`<tr data-entry="${entry.id}">
<td>${when}</td>
<td>${entry.event ?? (entry.kind === 'enrichment' ? 'enrichment' : '')}</td>
<td>${entry.record.entity} #${entry.record.id}</td>
<td>${status}</td>
<td>${why.length > 0 ? why.join(' — ') : NONE}</td>
<td class="num">${calls}</td>
<td>${changes(entry.fieldsWritten, text, names)}</td>
<td class="error">${entry.error ? text(entry.error) : ''}</td>
<td class="small">${job}</td>
</tr>`;
}

/** `/admin/runs/:accountId/:runId`: one run with every event and enrichment in it. */
export function renderRunDetail(
  scope: TenantScope,
  run: SyncRun,
  redact: AdminRedactor,
  names: FieldNames,
  /** Bull Board's name of the tenant's partition of a queue (QUEUE_PARTITIONS); default the name. */
  boardQueue: (queueName: string) => string = (name) => name,
): string {
  const text = (value: string) => String(redact(value));
  const title = run.accountName ?? `Account ${run.accountId}`;
  const body = markup`<p class="small"><a href="${scope.base}">← all sync runs</a></p>
<h1>${title} <span class="muted">#${run.accountId}</span> ${statusBadge(run.status)}</h1>
<section class="card">
<table id="run-summary"><tbody>
<tr><th>owner</th><td>${run.ownerName ?? markup`<span class="muted">not read yet</span>`}</td></tr>
<tr><th>first event</th><td>${time(run.firstAt)}</td></tr>
<tr><th>last event</th><td>${time(run.lastAt)}</td></tr>
<tr><th>events</th><td>${run.events}</td></tr>
<tr><th>fields written</th><td>${changes(run.fieldsWritten, text, names)}</td></tr>
</tbody></table>
</section>
<section class="card">
<h2>Events and enrichments</h2>
<table id="entries">
<thead><tr><th>time</th><th>event</th><th>record</th><th>status</th><th>reason / detail</th><th class="num">calls (SO / provider / patches)</th><th>fields (old → new)</th><th>error</th><th>job</th></tr></thead>
<tbody>
${run.entries.map((entry) => entryRow(entry, text, names, scope, boardQueue))}
</tbody>
</table>
</section>`;
  return layout({ title, scope, signedIn: true, body });
}
