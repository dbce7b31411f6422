import type { WebhookHealth } from '@so-connector/sync-runs';
import { tenantScope } from '../links';
import { createAdminRedactor } from '../redact';
import { renderDashboard, type DashboardView } from './dashboard.page';

const health: WebhookHealth = {
  tenant: 'Cust12345',
  checkedAt: '2026-11-30T10:10:00.000Z',
  alerts: 0,
  webhooks: [
    {
      id: 7,
      name: 'so-connector',
      state: 'TooManyErrors',
      targetUrl: 'https://so.example.com/webhooks/superoffice',
      events: ['contact.changed'],
      lastError: 'contact.changed 1b7a: HTTP 502',
      reactivationHeld: {
        at: '2026-11-30T10:10:00.000Z',
        since: '2026-11-30T10:00:00.000Z',
        checks: 3,
        reason: "the target did not answer SuperOffice's test ping: HTTP 502",
      },
    },
  ],
};

function view(part: DashboardView['health']): DashboardView {
  const empty = { ok: true as const, value: [] };
  return {
    scope: tenantScope('Cust12345', true),
    filter: {},
    runs: empty,
    health: part,
    queues: empty,
    activity: empty,
    status: {
      ok: true,
      value: { reconsent: undefined, lastEventAt: undefined, budgets: [], pause: undefined },
    },
    fieldNames: new Map(),
    banner: undefined,
  };
}

describe('renderDashboard: webhook health', () => {
  it('shows a re-activation the watchdog holds back while the target does not answer', () => {
    const page = renderDashboard(view({ ok: true, value: health }), createAdminRedactor());
    expect(page).toContain(
      '<div class="small muted" data-held="7">left parked since <time datetime="2026-11-30T10:00:00.000Z">2026-11-30 10:00:00</time> (3 checks, last <time datetime="2026-11-30T10:10:00.000Z">2026-11-30 10:10:00</time>): the target did not answer SuperOffice&#39;s test ping: HTTP 502; re-activated once it answers</div>',
    );
  });

  it('shows nothing of the kind for a webhook re-activated as usual', () => {
    const { reactivationHeld: _held, ...plain } = health.webhooks[0]!;
    const page = renderDashboard(
      view({ ok: true, value: { ...health, webhooks: [plain] } }),
      createAdminRedactor(),
    );
    expect(page).not.toContain('data-held');
  });
});
