import { createHash } from 'node:crypto';
import { markup, SafeHtml } from '../html';
import { ADMIN_BASE, BULL_BOARD_BASE, TENANTS_HREF, type TenantScope } from '../links';

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f9fafb}
header{display:flex;align-items:center;gap:18px;padding:10px 20px;background:#111827;color:#f9fafb}
header a{color:#e5e7eb;text-decoration:none}header a:hover{text-decoration:underline}
header .brand{font-weight:600;color:#fff}header .tenant{color:#9ca3af}
header form{margin-left:auto}
header button{background:none;border:1px solid #4b5563;color:#e5e7eb;border-radius:4px;padding:3px 10px;cursor:pointer}
main{padding:16px 20px;max-width:1400px}
h1{font-size:20px;margin:6px 0 14px}h2{font-size:16px;margin:22px 0 8px}
section.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin-bottom:16px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{font-weight:600;color:#374151;background:#f3f4f6}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7280}.small{font-size:12px}
.banner{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;padding:10px 14px;border-radius:6px;margin-bottom:16px}
.status{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;background:#e5e7eb;color:#374151}
.status-COMPLETED{background:#dcfce7;color:#166534}.status-FAILED{background:#fee2e2;color:#991b1b}
.status-RUNNING{background:#dbeafe;color:#1e40af}.status-QUEUED{background:#fef9c3;color:#854d0e}
.status-SKIPPED{background:#f3f4f6;color:#6b7280}
.state-ok{color:#166534;font-weight:600}.state-bad{color:#991b1b;font-weight:600}
form.filters{display:flex;gap:10px;align-items:end;margin-bottom:10px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#374151}
input,select{font:inherit;padding:4px 6px;border:1px solid #d1d5db;border-radius:4px}
button.primary{font:inherit;background:#2563eb;color:#fff;border:0;border-radius:4px;padding:5px 14px;cursor:pointer}
.error{color:#991b1b;white-space:pre-wrap;word-break:break-word}
.change{font-family:ui-monospace,monospace;font-size:12px}
.field[title]{text-decoration:underline dotted;cursor:help}
.old{color:#991b1b;text-decoration:line-through}.new{color:#166534}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
.login{max-width:340px;margin:80px auto;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:24px}
.login label{display:block;margin:10px 0 4px}.login input{width:100%}.login button{margin-top:16px;width:100%}
svg.chart{max-width:100%;height:auto}
`;

/**
 * Content-Security-Policy of the server-rendered admin pages: nothing but this one inline style
 * sheet (allowed by its hash), same-origin form posts, and no framing. No script runs at all.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** The style sheet is a constant of this module, inserted verbatim so its hash matches the CSP. */
const STYLE = new SafeHtml(CSS);

export interface LayoutOptions {
  readonly title: string;
  /** The tenant the page shows and where its pages live; absent on pages about no one tenant. */
  readonly scope?: TenantScope | undefined;
  /** Shows the navigation and the logout button (signed-in pages only). */
  readonly signedIn: boolean;
  /** Seen by a tenant admin: no Bull Board link (also when the scope says so). */
  readonly restricted?: boolean | undefined;
  readonly banner?: string | undefined;
  readonly body: SafeHtml;
}

/** The whole HTML document around a page's body. */
export function layout(options: LayoutOptions): string {
  const base = options.scope?.base ?? ADMIN_BASE;
  const restricted = options.restricted === true || options.scope?.restricted === true;
  const queues = restricted ? null : markup`<a href="${BULL_BOARD_BASE}">Queues (Bull Board)</a>`;
  const nav = options.signedIn
    ? markup`<a href="${base}">Sync runs</a><a href="${base}/backfills">Backfills</a>${queues}<a href="${TENANTS_HREF}">Tenants</a>
${options.scope ? markup`<span class="tenant">tenant ${options.scope.tenant}</span>` : null}
<form method="post" action="/admin/logout"><button type="submit">Log out</button></form>`
    : null;
  const banner = options.banner
    ? markup`<div class="banner" role="alert">${options.banner}</div>`
    : null;
  return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title} · so-connector</title>
<style>${STYLE}</style>
</head>
<body>
<header><span class="brand">so-connector</span>${nav}</header>
<main>${banner}${options.body}</main>
</body>
</html>`.value;
}
