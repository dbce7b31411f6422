import type { JobsOptions } from 'bullmq';

const SEVEN_DAYS_SECONDS = 7 * 24 * 3600;

/**
 * How long, and how many, completed `so-events` job bodies stay in Redis for Bull Board and the
 * dashboard (EVENTS_KEEP_COMPLETED_SECONDS / EVENTS_KEEP_COMPLETED_COUNT). Their EventIds stay
 * known for the whole dedup window either way, through the deduplication marker (event-dedup.ts).
 */
export interface CompletedEventRetention {
  readonly seconds: number;
  readonly count: number;
}

/** The defaults of the two variables: the last hour, at most 1,000 jobs. */
export const DEFAULT_COMPLETED_EVENT_RETENTION: CompletedEventRetention = {
  seconds: 3600,
  count: 1000,
};

/**
 * Options every `so-events` job shares. A completed job body (~2.7 KB) is kept only for the recent
 * window, never longer than the dedup window; its EventId stays a duplicate for the whole window
 * through the marker `eventAddOptions` adds. Failed jobs are kept at least a week, so an operator
 * can see and retry them, and never less than the window.
 */
export function eventJobOptions(
  dedupWindowSeconds: number,
  keepCompleted: CompletedEventRetention = DEFAULT_COMPLETED_EVENT_RETENTION,
): JobsOptions {
  return {
    removeOnComplete: {
      age: Math.min(keepCompleted.seconds, dedupWindowSeconds),
      count: keepCompleted.count,
    },
    removeOnFail: { age: Math.max(dedupWindowSeconds, SEVEN_DAYS_SECONDS) },
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
  };
}

/**
 * Options of every `so-enrich` job: attempts with exponential backoff (BullMQ adds no jitter; the
 * worker's backoff strategy does), completed jobs kept a day, failed ones a week for the dashboard.
 */
export function enrichJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'jitter' },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: SEVEN_DAYS_SECONDS },
  };
}

/** Exponential backoff with "equal jitter": a random wait between half and all of base·2^(attempt-1), capped. */
export function jitterBackoff(
  attemptsMade: number,
  baseMs = 2000,
  capMs = 5 * 60_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
