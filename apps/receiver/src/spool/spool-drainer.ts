import type { Logger } from '@so-connector/logger';
import { eventJobSchema, type EventJobData } from '@so-connector/queue';
import type { EventEnqueuer } from '../webhook/event-enqueuer';
import type { DiskSpool } from './disk-spool';

export interface SpoolDrainerDeps {
  readonly spool: DiskSpool;
  readonly enqueuer: EventEnqueuer;
  readonly logger: Logger;
  /** How often to look for spooled events while any are waiting. */
  readonly intervalMs?: number;
  /** Called with the number of events moved into Redis by one pass. */
  readonly onDrained?: (count: number) => void;
}

export interface SpoolDrainer {
  /** One pass now: moves every spooled event into Redis, oldest first; stops at the first Redis error. */
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Moves spooled events into `so-events` with their original jobId (EventId) once Redis answers:
 * at start-up and then every `intervalMs` while the spool is not empty. A file is deleted only
 * after Redis has the job, or knows its EventId (job or dedup marker: the enqueue says "duplicate"
 * and creates nothing); a file that can never be a job is moved to `rejected/` and logged.
 */
export function startSpoolDrainer(deps: SpoolDrainerDeps): SpoolDrainer {
  let running: Promise<number> | undefined;
  let stopped = false;
  // Why the last pass stopped early, logged once until it changes or an event goes through: an
  // operator whose spool does not drain sees why, without a line a second while Redis is away.
  let pausedBy: string | undefined;

  const pass = async (): Promise<number> => {
    let moved = 0;
    for (const name of await deps.spool.list()) {
      if (stopped) break;
      let content: unknown;
      try {
        content = await deps.spool.read(name);
      } catch (error) {
        // Only a file that is not JSON can never be queued; an I/O error (EMFILE, EIO) may pass,
        // and the event was already answered 200: keep the file and try again on the next pass.
        if (!(error instanceof SyntaxError)) {
          deps.logger.warn('could not read a spooled event; will retry', {
            file: name,
            error: error instanceof Error ? error.message : String(error),
          });
          break;
        }
        content = error;
      }
      const parsed = eventJobSchema.safeParse(content);
      if (!parsed.success) {
        deps.logger.error('spooled file can never be queued; moved to rejected/', {
          file: name,
          error:
            content instanceof SyntaxError
              ? content.message
              : (parsed.error.issues[0]?.message ?? 'schema mismatch'),
        });
        await deps.spool.reject(name);
        continue;
      }
      const data: EventJobData = parsed.data;
      try {
        const outcome = await deps.enqueuer.enqueue(data);
        await deps.spool.remove(name);
        moved++;
        pausedBy = undefined;
        deps.logger.info('spooled event queued', { eventId: data.event.EventId, outcome });
      } catch (error) {
        // Redis still away; the next pass tries again.
        const reason = error instanceof Error ? error.message : String(error);
        if (reason !== pausedBy)
          deps.logger.warn('spool drain paused; will retry', {
            error: reason,
            spooled: deps.spool.depth(),
          });
        pausedBy = reason;
        break;
      }
    }
    if (moved > 0) deps.onDrained?.(moved);
    return moved;
  };

  const drainOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    if (deps.spool.depth() > 0)
      void drainOnce().catch((error: unknown) =>
        deps.logger.error('spool drain failed', { error }),
      );
  }, deps.intervalMs ?? 1000);
  timer.unref();

  return {
    drainOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
