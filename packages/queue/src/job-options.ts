import type { JobsOptions } from 'bullmq';

const SEVEN_DAYS_SECONDS = 7 * 24 * 3600;

/**
 * Options of every `so-events` job. Completed jobs are kept for the de-duplication window (an
 * EventId seen within it answers "duplicate"); failed ones at least a week, so an operator can see
 * and retry them, and never less than the window.
 */
export function eventJobOptions(dedupWindowSeconds: number): JobsOptions {
  return {
    removeOnComplete: { age: dedupWindowSeconds },
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
