// Where a quiet tenant's save spends its time (benchmark 8): from the BullMQ jobs the receiver
// and the worker left in Redis (completed jobs are kept), each save's webhook POST → so-events job
// added (receiver) → picked by the events stage → its so-enrich job picked → finished → the write
// seen by the simulator.
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';
import { percentiles } from './bench-common';
import type { QuietSample } from './tenants-traffic';

export const STAGES = [
  'receiver: POST → so-events job added',
  'so-events: added → picked',
  'events stage: picked → done',
  'so-enrich: scheduled → picked',
  'enrichment: picked → done',
] as const;

export type StageFigures = Record<(typeof STAGES)[number], { p50: number; p99: number }>;

/** p50 and p99 of each stage over the samples whose jobs are still in Redis. */
export async function stageBreakdown(
  redisUrl: string,
  prefix: string,
  samples: readonly QuietSample[],
): Promise<{ figures: StageFigures; found: number }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const events = new Queue(QUEUE_NAMES.events, { connection: redis, prefix });
  const enrich = new Queue(QUEUE_NAMES.enrich, { connection: redis, prefix });
  const gaps: number[][] = STAGES.map(() => []);
  let found = 0;
  try {
    for (const sample of samples) {
      const ev = await Job.fromId(events, sample.eventId.toLowerCase());
      const enrichId = (ev?.returnvalue as { job?: string } | undefined)?.job;
      const en = enrichId ? await Job.fromId(enrich, enrichId) : undefined;
      if (!ev?.processedOn || !ev.finishedOn || !en?.processedOn || !en.finishedOn) continue;
      found++;
      const points = [
        sample.postedAt,
        ev.timestamp,
        ev.processedOn,
        ev.finishedOn,
        en.processedOn,
        en.finishedOn,
      ];
      for (let i = 0; i < STAGES.length; i++) gaps[i]!.push(points[i + 1]! - points[i]!);
    }
  } finally {
    await events.close();
    await enrich.close();
    redis.disconnect();
  }
  const figures = Object.fromEntries(
    STAGES.map((stage, i) => {
      const p = percentiles(gaps[i]!);
      return [stage, { p50: p.p50, p99: p.p99 }];
    }),
  ) as StageFigures;
  return { figures, found };
}
