import { markup } from '../html';
import { layout } from './layout';

/** A page that only says something (not found, unavailable), with an optional link. */
export function renderMessage(options: {
  title: string;
  message: string;
  tenant: string;
  link?: { href: string; text: string } | undefined;
}): string {
  const link = options.link
    ? markup`<p><a href="${options.link.href}">${options.link.text}</a></p>`
    : null;
  const body = markup`<h1>${options.title}</h1>
<section class="card">
<p>${options.message}</p>
${link}
<p><a href="/admin">← all sync runs</a></p>
</section>`;
  return layout({ title: options.title, tenant: options.tenant, signedIn: true, body });
}
