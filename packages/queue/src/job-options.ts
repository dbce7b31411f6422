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
