import type { Command } from 'commander';
import {
  enrichDedupId,
  QUEUE_NAMES,
  scheduleEnrichment,
  type EnrichJobData,
} from '@so-connector/queue';
import type { Queue } from 'bullmq';
import { argsOf, positiveId, UsageError, type Run } from '../command';

/** Which record `enrich` means: `enrich 123` (a contact), `enrich --person 45`. */
export function enrichTarget(
  args: readonly string[],
  opts: { person?: string; contact?: string },
): { entity: 'contact' | 'person'; recordId: number } {
  const given = [
    ...args.map((a) => ({ entity: 'contact' as const, id: a })),
    ...(opts.contact === undefined ? [] : [{ entity: 'contact' as const, id: opts.contact }]),
    ...(opts.person === undefined ? [] : [{ entity: 'person' as const, id: opts.person }]),
  ];
  if (given.length !== 1)
    throw new UsageError(
      'give one record: enrich <contactId>, enrich --contact <id> or enrich --person <id>',
    );
  const [one] = given as [{ entity: 'contact' | 'person'; id: string }];
  return { entity: one.entity, recordId: positiveId(one.id, `${one.entity} id`) };
}

/** `enrich`: enqueue an enrichment now (debounce 0), joining a pending one of the same record. */
export function registerEnrich(program: Command, run: Run): void {
  program
    .command('enrich')
    .description('enrich a company or person now: enrich <contactId> | enrich --person <personId>')
    .argument('[contactId]', 'the company (Contact) id')
    .option('--contact <id>', 'the company (Contact) id')
    .option('--person <id>', 'the person id')
    .action(
      run(async (ctx, command) => {
        const target = enrichTarget(
          argsOf(command),
          command.opts<{ person?: string; contact?: string }>(),
        );
        const config = ctx.config();
        const queue = (await ctx.queue(QUEUE_NAMES.enrich, ctx.tenant)) as Queue<EnrichJobData>;
        const job = await scheduleEnrichment(
          queue,
          { tenant: ctx.tenant, ...target, cause: `cli:${new Date().toISOString()}` },
          { debounceMs: 0, maxWaitMs: config.enrich.maxWaitMs, attempts: config.enrich.attempts },
        );
        const state = await job.getState();
        const result = {
          queue: QUEUE_NAMES.enrich,
          jobId: job.id ?? null,
          name: job.name,
          entity: target.entity,
          recordId: target.recordId,
          deduplicationId: enrichDedupId(ctx.tenant, target.entity, target.recordId),
          state,
        };
        ctx.out.result(
          result,
          () =>
            `${target.entity} ${target.recordId}: job ${result.jobId ?? '?'} (${job.name}) is ${state} in ${QUEUE_NAMES.enrich}${state === 'active' ? ' — an enrichment is running; this one follows it' : ''}`,
        );
        return undefined;
      }),
    );
}
