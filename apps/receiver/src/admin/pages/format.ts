import type { EntryStatus } from '@so-connector/sync-runs';
import { markup, type SafeHtml } from '../html';

/** `2025-03-01 10:04:05 UTC` inside a `<time>` element; unparsable input is shown as it is. */
export function time(iso: string | undefined): SafeHtml {
  if (!iso) return markup`<span class="muted">–</span>`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return markup`${iso}`;
  const text = new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  return markup`<time datetime="${iso}">${text}</time>`;
}

export function statusBadge(status: EntryStatus): SafeHtml {
  return markup`<span class="status status-${status}">${status}</span>`;
}
