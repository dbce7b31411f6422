/** A BullMQ Queue, Worker or QueueEvents: anything with a connection that initialises itself. */
export interface ClosableBullmq {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Closes a BullMQ component only once its connection has finished initialising.
 *
 * BullMQ 5.81's RedisConnection reports a failed initialisation with `emit('error')` from a
 * handler attached in its constructor, while its `close()` removes every listener; so a close that
 * overtakes the initialisation (a SIGTERM right after start-up: the INFO of the version check still
 * in flight) turns "Connection is closed" into an unhandled `error` event that exits the process
 * with 1. The maintainers' answer is to close only after the connection is up (taskforcesh/bullmq
 * #2437, #2385). Reproduced and verified with `pnpm test:faults -- e2e/faults/signals.faults.test.ts`.
 *
 * When the connection is not up within `readyWithinMs` (Redis unreachable), the component is left
 * open and `'not-ready'` returned: closing it would risk that crash, and a component that never
 * connected holds no job; its initialisation then fails with the connection and reports on the
 * component's own `error` listener, which is never removed.
 */
export async function closeWhenReady(
  component: ClosableBullmq,
  readyWithinMs: number,
): Promise<'closed' | 'not-ready'> {
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    component.waitUntilReady().then(
      () => true,
      // A rejected initialisation has settled: closing is safe now.
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), readyWithinMs);
    }),
  ]);
  clearTimeout(timer);
  if (!ready) return 'not-ready';
  await component.close();
  return 'closed';
}
