import { markup } from '../html';
import type { TenantScope } from '../links';
import { layout } from './layout';

/** A page that only says something (not found, unavailable), with an optional link. */
export function renderMessage(options: {
  title: string;
  message: string;
  /** The tenant the message is about; absent when it is about no one tenant. */
  scope?: TenantScope | undefined;
  link?: { href: string; text: string } | undefined;
  /** Shown to a tenant admin (no Bull Board link); implied by a restricted scope. */
  restricted?: boolean | undefined;
}): string {
  const link = options.link
    ? markup`<p><a href="${options.link.href}">${options.link.text}</a></p>`
    : null;
  const body = markup`<h1>${options.title}</h1>
<section class="card">
<p>${options.message}</p>
${link}
${options.scope ? markup`<p><a href="${options.scope.base}">← all sync runs</a></p>` : null}
</section>`;
  return layout({
    title: options.title,
    scope: options.scope,
    signedIn: true,
    restricted: options.restricted,
    body,
  });
}
