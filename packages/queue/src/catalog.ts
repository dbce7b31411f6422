/**
 * Queue names. They are wire format: renaming one strands the jobs already in Redis under the old
 * name, so a rename needs a migration, not an edit.
 */
export const QUEUE_NAMES = {
  /** Every accepted SuperOffice webhook event; job name = event name, jobId = EventId. */
  events: 'so-events',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
