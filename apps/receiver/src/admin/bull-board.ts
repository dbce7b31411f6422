import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { labelled, type AdminQueueList } from './admin-queues';
import { ADMIN_BASE, BULL_BOARD_BASE, syncRunOfJobHref } from './links';
import type { AdminRedactor } from './redact';

export interface AdminBullBoardOptions {
  /** Every queue, each partition apart (listed as `p{p}.{name}` from partition 1 on). */
  readonly queues: AdminQueueList;
  /** Retry, clean, promote, add and remove are refused (HTTP 405) unless this is false. */
  readonly readOnly: boolean;
  readonly redact: AdminRedactor;
  /** Named in the board's title: the default tenant, or "all tenants" (the queues are shared). */
  readonly tenant: string;
}

/**
 * Bull Board 9 for the connector's queues, served at `/admin/queues` (behind the admin auth of the
 * router that mounts it). Job data, return values and progress go through the admin redactor with
 * `setFormatter`; failure reasons, stack traces and job logs are not formatter fields in Bull Board
 * 9 (`FormatterField` is data | returnValue | name | progress), so an `after` hook redacts every
 * API answer as a whole. Each job links to the sync run that holds it (`externalJobUrl`).
 */
export function createBullBoardHandler(options: AdminBullBoardOptions): RequestHandler {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_BASE);
  const adapters = labelled(options.queues).map(({ queue, label }) => {
    const adapter = new BullMQAdapter(queue, {
      readOnlyMode: options.readOnly,
      allowRetries: !options.readOnly,
      // Bull Board names a queue `prefix + name`: partitions of one queue need distinct names.
      prefix: label.slice(0, label.length - queue.name.length),
      externalJobUrl: (job) => ({
        displayText: 'sync run',
        href: syncRunOfJobHref(label, String(job.id ?? '')),
      }),
    });
    adapter.setFormatter('data', (data: unknown) => options.redact(data));
    adapter.setFormatter('returnValue', (value: unknown) => options.redact(value));
    adapter.setFormatter('progress', (progress: unknown) => options.redact(progress));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: `so-connector · ${options.tenant}`,
        hideDocsLink: true,
        miscLinks: [
          { text: 'Sync runs', url: ADMIN_BASE },
          { text: 'Log out', url: `${ADMIN_BASE}/logout` },
        ],
        ...(options.readOnly
          ? { environment: { label: 'read-only', color: '#6b7280', textColor: '#ffffff' } }
          : {}),
      },
      handlerHooks: {
        after: (_context, result) => ({ ...result, body: options.redact(result.body) as object }),
      },
    },
  });
  return serverAdapter.getRouter() as RequestHandler;
}
