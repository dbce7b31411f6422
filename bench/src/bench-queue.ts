// Queue helpers of the worker-side benchmarks (filter stage, scale-out): start a process and wait
// for it to be ready, fill `so-events` while it is paused, then time the drain.
import type { ChildProcess } from 'node:child_process';
import type { Queue } from 'bullmq';
import { eventAddOptions, type WebhookEvent } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { spawnNode } from './bench-common';

export interface StartedProcess {
  readonly child: ChildProcess;
  output(): string;
}

/** Starts `node script` and waits until its output contains `ready` (e.g. 'worker started'). */
export async function startAndWait(
  script: string,
  env: Record<string, string>,
  ready = 'worker started',
  timeoutMs = 30_000,
): Promise<StartedProcess> {
  const child = spawnNode(script, env, { stdout: 'pipe' });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-100_000);
  });
  const started = { child, output: () => out };
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      return out.includes(ready);
    },
    { timeoutMs, intervalMs: 50, what: `${script} to print '${ready}'` },
  );
  return started;
}

/**
 * Adds the events as `so-events` jobs the way the receiver does (job id, dedup marker, the default
 * recent window of completed bodies: at most 1,000 are kept, so count completions elsewhere), in
 * chunks.
 */
export async function addEvents(
  queue: Queue,
  tenant: string,
  events: readonly WebhookEvent[],
): Promise<void> {
  const receivedAt = new Date().toISOString();
  for (let i = 0; i < events.length; i += 1000) {
    await queue.addBulk(
      events.slice(i, i + 1000).map((event) => ({
        name: event.Event,
        data: { tenant, receivedAt, deliveryRetry: 0, spooled: false, event },
        opts: eventAddOptions(event, 3600),
      })),
    );
  }
}

/** Jobs not yet finished in the queues (waiting, paused, active, delayed, prioritised). */
export async function pending(queues: readonly Queue[]): Promise<number> {
  const counts = await Promise.all(
    queues.map((q) => q.getJobCounts('waiting', 'paused', 'active', 'delayed', 'prioritized')),
  );
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}

/**
 * Resumes the (paused, pre-filled) `gate` queue and returns the ms until `done()` holds, polled
 * every `intervalMs` (the polling error is at most one interval).
 */
export async function timeDrain(
  gate: Queue,
  done: () => Promise<boolean>,
  { timeoutMs = 300_000, intervalMs = 10 } = {},
): Promise<number> {
  const start = performance.now();
  await gate.resume();
  await waitFor(done, { timeoutMs, intervalMs, what: 'the queues to drain' });
  return performance.now() - start;
}
