// Replays generated human actions against a simulator at their scheduled times (editAs/createAs:
// the simulator emits the webhook events itself, signed, with SuperOffice's headers and retries).
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { sleep } from './bench-common';
import type { Step } from './traffic-day';

/** Applies every step at `start + step.at`; resolves with how late the latest step was (ms). */
export async function replay(sim: RunningSimulator, steps: readonly Step[]): Promise<number> {
  const start = performance.now();
  let maxLate = 0;
  for (const step of steps) {
    const wait = start + step.at - performance.now();
    if (wait > 1) await sleep(wait);
    else maxLate = Math.max(maxLate, -wait);
    if (step.op === 'create') {
      const created = sim.createAs(step.byAssociateId, step.kind, step.fields);
      const id = created[step.kind === 'contact' ? 'ContactId' : 'PersonId'];
      if (id !== step.id)
        throw new Error(`created ${step.kind} ${String(id)}, expected ${step.id}`);
    } else {
      sim.editAs(step.byAssociateId, step.kind, step.id, step.fields);
    }
  }
  return Math.round(maxLate);
}

/** Waits until `idle()` and no delivery is in flight, twice in a row over `quietMs`. */
export async function settleWith(
  sim: RunningSimulator,
  idle: () => boolean | Promise<boolean>,
  { timeoutMs = 120_000, quietMs = 300 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let quiet = 0; quiet < 2;) {
    if (Date.now() > deadline) throw new Error('the system did not settle in time');
    await sim.deliveriesSettled();
    const deliveries = sim.deliveries.length;
    await sleep(quietMs);
    quiet = (await idle()) && sim.deliveries.length === deliveries ? quiet + 1 : 0;
  }
}
