import { markup, type SafeHtml } from '../html';
import type { BudgetUse, TenantStatus } from '../tenant-status';
import type { Part } from './dashboard.page';
import { time } from './format';

const NONE = markup`<span class="muted">–</span>`;
const UNREADABLE = markup`<span class="error">not readable</span>`;

const PER: Readonly<Record<BudgetUse['kind'], string>> = {
  superoffice: 'SuperOffice calls a minute',
  provider: 'provider calls an hour',
};

/** `needs re-consent since … (invalid_grant)`, or `–` while SuperOffice accepts the credential. */
export function reconsentText(status: TenantStatus): SafeHtml {
  const mark = status.reconsent;
  if (!mark) return NONE;
  return markup`<span class="state-bad" data-reconsent>needs re-consent</span> <span class="small">since ${time(mark.since)} (${mark.reason}): jobs wait until the tenant is connected again</span>`;
}

/** While a Retry-After holds the tenant's jobs: who asked and until when. */
function pauseText(status: TenantStatus): SafeHtml | null {
  const pause = status.pause;
  if (!pause) return null;
  const who = pause.source === 'superoffice' ? 'SuperOffice' : 'the provider';
  return markup`<div data-pause="${pause.source}"><span class="state-bad">paused</span>: ${who} asked to wait (Retry-After); jobs deferred until ${time(new Date(pause.untilMs).toISOString())}</div>`;
}

/**
 * `12 / 300 SuperOffice calls a minute`; a spent budget says until when jobs are deferred, and a
 * Retry-After pause says so too.
 */
export function budgetText(status: TenantStatus): SafeHtml {
  const pause = pauseText(status);
  if (status.budgets.length === 0) return markup`${pause}<span class="muted">no budget</span>`;
  const lines = status.budgets.map((b) => {
    const spent = b.used >= b.limit;
    const deferred = spent
      ? markup` <span class="state-bad">spent: jobs deferred until ${time(b.resetsAt)}</span>`
      : null;
    return markup`<div data-budget="${b.kind}">${b.used} / ${b.limit} ${PER[b.kind]}${deferred}</div>`;
  });
  return markup`${pause}${lines}`;
}

export function lastEventText(status: TenantStatus): SafeHtml {
  return status.lastEventAt ? time(status.lastEventAt) : NONE;
}

/** The three as table cells (`/admin/tenants`), or "not readable" when Redis did not answer. */
export function statusCells(part: Part<TenantStatus>): SafeHtml {
  if (!part.ok) return markup`<td>${UNREADABLE}</td><td>${UNREADABLE}</td><td>${UNREADABLE}</td>`;
  const s = part.value;
  return markup`<td data-last-event>${lastEventText(s)}</td><td>${reconsentText(s)}</td><td class="small">${budgetText(s)}</td>`;
}

/** The card on a tenant's page. */
export function statusSection(part: Part<TenantStatus>): SafeHtml {
  if (!part.ok)
    return markup`<p class="error">The tenant's status could not be read (Redis is not reachable).</p>`;
  const s = part.value;
  return markup`<table id="tenant-status"><tbody>
<tr><th>last event</th><td>${lastEventText(s)}</td></tr>
<tr><th>re-consent</th><td>${s.reconsent ? reconsentText(s) : markup`<span class="state-ok">not needed</span>`}</td></tr>
<tr><th>budget this window</th><td>${budgetText(s)}</td></tr>
</tbody></table>`;
}
