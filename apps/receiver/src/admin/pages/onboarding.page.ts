import { UDF_TARGETS, candidatesFor } from '@so-connector/superoffice-client';
import type { TenantUdfMap } from '@so-connector/tenants';
import type { OnboardResult } from '../../oauth/onboard-tenant';
import type { UdfField } from '../../oauth/udf-choice';
import { markup, type SafeHtml } from '../html';
import { ADMIN_BASE, TENANTS_HREF, tenantScope } from '../links';
import { layout } from './layout';

export const CONNECT_HREF = `${TENANTS_HREF}/connect`;

/** The href of a tenant's UDF form target. */
export const udfFormHref = (ctx: string) => `${TENANTS_HREF}/${encodeURIComponent(ctx)}/udf`;

export interface ConnectView {
  /** Why onboarding cannot run (missing variables); empty when it can. */
  readonly problems: readonly string[];
  readonly redirectUri: string | undefined;
  /** Where the tenant's webhook will post, with `{ctx}` for the tenant. */
  readonly webhookPattern: string | undefined;
  readonly environment: string | undefined;
}

/** `/admin/tenants/connect`: what will happen, and the button that starts it. */
export function renderConnect(view: ConnectView): string {
  const blocked = view.problems.length > 0;
  const body = blocked
    ? markup`<section class="card" id="onboarding-unavailable"><p>Onboarding is not available on this connector:</p>
<ul>${view.problems.map((p) => markup`<li>${p}</li>`)}</ul>
<p class="muted">Set the variables in the receiver's environment and restart it (docs/tenants.md, "Onboarding").</p></section>`
    : markup`<section class="card">
<p>You will be sent to SuperOffice (${view.environment}) to sign in as an <b>administrator</b> of the customer's tenant and approve the app. SuperOffice sends you back to <code>${view.redirectUri}</code>; the connector then stores the tenant (its credentials encrypted), registers its webhook at <code>${view.webhookPattern}</code> with a new secret, and reads its UDF layout.</p>
<form method="post" action="${CONNECT_HREF}" class="filters">
<label for="tenant">Tenant (optional, skips SuperOffice's tenant picker)<input id="tenant" name="tenant" placeholder="Cust12345" pattern="[A-Za-z][A-Za-z0-9]{0,63}"></label>
<button type="submit" class="primary" id="connect">Continue to SuperOffice</button>
</form></section>`;
  return layout({
    title: 'Connect a SuperOffice tenant',
    signedIn: true,
    banner: blocked ? 'Onboarding is not configured.' : undefined,
    body: markup`<h1>Connect a SuperOffice tenant</h1>${body}<p><a href="${TENANTS_HREF}">← all tenants</a></p>`,
  });
}

/** A page that says why onboarding stopped (nothing was stored unless it says so). */
export function renderOnboardingProblem(options: {
  readonly title: string;
  readonly message: string;
  readonly signedIn: boolean;
}): string {
  return layout({
    title: options.title,
    signedIn: options.signedIn,
    body: markup`<h1>${options.title}</h1>
<section class="card" id="onboarding-problem"><p>${options.message}</p>
<p><a href="${CONNECT_HREF}">Connect a SuperOffice tenant</a> · <a href="${TENANTS_HREF}">all tenants</a></p></section>`,
  });
}

function fieldName(key: string | undefined, fields: readonly UdfField[] | undefined): string {
  if (key === undefined) return 'not written';
  const field = fields?.find((f) => f.key === key);
  return field?.label ? `${field.label} (${key})` : key;
}

/** The map as a table, and (when the layout could be read) the form to pick or change the fields. */
export function udfSection(
  ctx: string,
  map: TenantUdfMap,
  fields: readonly UdfField[] | undefined,
  heading: string,
): SafeHtml {
  const rows = UDF_TARGETS.map(
    (t) =>
      markup`<tr data-target="${t.name}"><td>${t.name}</td><td>${fieldName(map[t.name], fields)}</td><td class="muted">${t.what}</td></tr>`,
  );
  const form = fields
    ? markup`<form method="post" action="${udfFormHref(ctx)}" id="udf-form">
${UDF_TARGETS.map(
  (t) =>
    markup`<p><label for="udf-${t.name}">${t.name} </label><select id="udf-${t.name}" name="${t.name}"><option value="">— not written —</option>${candidatesFor(
      t,
      fields,
    ).map(
      (f) =>
        markup`<option value="${f.key}"${map[t.name] === f.key ? markup` selected` : null}>${f.label ?? f.key} (${f.key}, ${f.fieldType ?? f.kind})</option>`,
    )}</select></p>`,
)}
<button type="submit" class="primary" id="save-udf">Save the fields</button></form>`
    : null;
  return markup`<section class="card" id="udf"><h2>${heading}</h2>
<table id="udf-map"><thead><tr><th>writes</th><th>field</th><th>needs</th></tr></thead><tbody>${rows}</tbody></table>
${form}</section>`;
}

/** How to start a backfill for the new tenant: the CLI commands and the page that follows them. */
export function backfillSection(ctx: string): SafeHtml {
  const base = tenantScope(ctx, false).base;
  return markup`<section class="card" id="backfill"><h2>Backfill</h2>
<p>Existing records are enriched only when they change. To enrich those whose fields are still empty, count first, then run:</p>
<pre>so-connector --tenant ${ctx} backfill --target-empty --dry-run
so-connector --tenant ${ctx} backfill --target-empty --rate 60</pre>
<p>Follow it on <a href="${base}/backfills" id="backfills-link">the tenant's backfills page</a>.</p></section>`;
}

/** The end of onboarding: what was stored and registered, the UDF map, and the backfill offer. */
export function renderOnboarded(result: OnboardResult): string {
  const ctx = result.contextIdentifier;
  const webhook = result.webhook.ok
    ? markup`<p id="webhook-result" class="state-ok">Webhook ${result.webhook.id} ${result.webhook.reused ? 'already posts' : 'registered'} to <code>${result.webhook.target}</code>.</p>`
    : markup`<p id="webhook-result" class="state-bad">The webhook to <code>${result.webhook.target}</code> could not be registered: ${result.webhook.message}</p>
<p>Once the receiver answers at that URL, register it with the tenant's stored secret:</p>
<pre>so-connector --tenant ${ctx} webhooks register --url ${result.webhook.target} --secret-from-config</pre>`;
  const udf = result.udf.ok
    ? udfSection(
        ctx,
        result.udf.map,
        result.udf.fields,
        result.udf.complete
          ? 'UDF map (discovered)'
          : 'Pick the fields: discovery did not find every field',
      )
    : markup`<section class="card" id="udf"><h2>UDF map</h2><p class="state-bad">${result.udf.message}. Set the fields later with <code>so-connector --tenant ${ctx} discover</code> and <code>tenants add</code>.</p></section>`;
  return layout({
    title: `Connected ${ctx}`,
    signedIn: true,
    body: markup`<h1 id="onboarded" data-tenant="${ctx}">${result.reconsent ? 'Re-connected' : 'Connected'} ${ctx}${result.companyName ? ` (${result.companyName})` : ''}</h1>
<section class="card"><p>The tenant is stored${result.reconsent ? ' with its new consent (its webhook secret and UDF map are kept)' : ', its refresh token and webhook secret encrypted'}. API: <code>${result.apiUrl}</code>.</p>${webhook}</section>
${udf}
${backfillSection(ctx)}
<p><a href="${TENANTS_HREF}">← all tenants</a> · <a href="${ADMIN_BASE}">dashboard</a></p>`,
  });
}

/** After the admin saved the pick form. */
export function renderUdfSaved(
  ctx: string,
  map: TenantUdfMap,
  fields: readonly UdfField[],
): string {
  return layout({
    title: `UDF map of ${ctx}`,
    signedIn: true,
    body: markup`<h1 id="udf-saved">Saved the UDF map of ${ctx}</h1>
${udfSection(ctx, map, fields, 'UDF map')}
${backfillSection(ctx)}
<p><a href="${TENANTS_HREF}">← all tenants</a></p>`,
  });
}
