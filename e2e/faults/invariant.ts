import type { ChangeEvent } from '@so-connector/superoffice-simulator';
import { waitFor } from '@so-connector/testing';
import { spooledEvents, type RunningSystem } from '../system';
import { writtenUdfs, type FinalRecord, type ReferenceTenant } from './reference';

/**
 * THE invariant of the fault suite, checked the same way at the end of every scenario:
 *
 * 1. Events: every EventId the receiver accepted (a delivery SuperOffice saw answered 200) is
 *    processed (its `so-events` job completed) or visible in the failed set with a reason. None
 *    is missing.
 * 2. Records: every record a human changed ends with the UDF values the provider derives from
 *    its latest inputs (the fault-free ReferenceTenant says which). A record whose changes
 *    SuperOffice dropped (no delivery answered 200) must have been caught up all the same — by
 *    a later event or the reconciliation sweep — else it is listed as dropped and not caught up.
 * 3. No double writes: the connector's PATCHes of a record (writes that took effect) are at most
 *    the number of distinct human change windows of that record, and a record no human changed
 *    is never written.
 */

/** Human changes closer together than this are one change window (a burst). */
const WINDOW_GAP_MS = 50;

interface HumanChange {
  readonly key: string;
  readonly at: number;
  readonly event: string;
}

/**
 * Records, from the simulated tenant itself, every change a human made (with its time) and every
 * write of the connector's API user that took effect, per record. Attach it before the traffic.
 */
export class Ledger {
  readonly changes: HumanChange[] = [];
  readonly writes = new Map<string, number>();

  constructor(system: RunningSystem) {
    const apiUser = system.sim.state.apiUser.associateId;
    system.sim.state.on('change', (change: ChangeEvent) => {
      const key = `${change.entity}:${change.primaryKey}`;
      if (change.changedByAssociateId === apiUser)
        this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
      else this.changes.push({ key, at: Date.now(), event: change.event });
    });
  }

  /** Records a human changed, `{kind}:{id}`. */
  humanRecords(): string[] {
    return [...new Set(this.changes.map((c) => c.key))];
  }

  humanChanges(key: string): number {
    return this.changes.filter((c) => c.key === key).length;
  }

  /** Human changes of a record grouped into windows (changes less than 50 ms apart are one). */
  windows(key: string): number {
    let windows = 0;
    let last = -Infinity;
    for (const c of this.changes.filter((x) => x.key === key)) {
      if (c.at - last >= WINDOW_GAP_MS) windows++;
      last = c.at;
    }
    return windows;
  }

  totalWrites(): number {
    return [...this.writes.values()].reduce((a, b) => a + b, 0);
  }
}

export interface InvariantOptions {
  /** The scenario runs the reconciliation sweep (a record with dropped changes is caught up by it). */
  readonly reconciliation: boolean;
}

export interface InvariantReport {
  readonly violations: string[];
  /** One line of numbers for the test log. */
  readonly summary: string;
  readonly accepted: number;
  readonly dropped: number;
  /** The dropped deliveries: event, EventId and the status of each try. */
  readonly droppedList: string;
}

function finalRecords(system: RunningSystem, keys: readonly string[]): FinalRecord[] {
  const out: FinalRecord[] = [];
  for (const key of keys) {
    const [kind, raw] = key.split(':') as ['contact' | 'person', string];
    const id = Number(raw);
    const record = system.sim.state.get(kind, id);
    if (!record) continue; // deleted: nothing to hold values
    if (kind === 'contact') out.push({ kind, id, record });
    else {
      const companyId = (record.Contact as { ContactId?: number } | null)?.ContactId;
      const company = companyId ? system.sim.state.get('contact', companyId) : undefined;
      out.push({ kind, id, record, company });
    }
  }
  return out;
}

/** Checks the invariant once; never throws for a violation (it is returned). */
export async function checkInvariant(
  system: RunningSystem,
  ledger: Ledger,
  reference: ReferenceTenant,
  options: InvariantOptions,
): Promise<InvariantReport> {
  const violations: string[] = [];
  const apiUser = system.sim.state.apiUser.associateId;

  // 1. Events. SuperOffice's own record of each delivery says which EventIds were answered 200.
  const statuses = new Map<string, { event: string; statuses: (number | undefined)[] }>();
  for (const d of system.sim.deliveries) {
    const entry = statuses.get(d.eventId) ?? { event: d.event, statuses: [] };
    entry.statuses.push(d.status);
    statuses.set(d.eventId, entry);
  }
  const accepted = [...statuses].filter(([, e]) => e.statuses.includes(200)).map(([id]) => id);
  const dropped = [...statuses].filter(([, e]) => !e.statuses.includes(200));
  const acceptedHuman = new Map<string, number>();
  let failedEvents = 0;
  for (const eventId of accepted) {
    const job = await system.events.getJob(eventId.toLowerCase());
    if (!job) {
      violations.push(`event ${eventId} was answered 200 but has no so-events job (lost)`);
      continue;
    }
    const state = await job.getState();
    const data = job.data as {
      event?: { Entity?: string; PrimaryKey?: number; ChangedByAssociateId?: number };
    };
    if (data.event?.ChangedByAssociateId !== apiUser) {
      const key = `${data.event?.Entity}:${data.event?.PrimaryKey}`;
      acceptedHuman.set(key, (acceptedHuman.get(key) ?? 0) + 1);
    }
    if (state === 'completed') continue;
    if (state === 'failed' && job.failedReason) {
      failedEvents++;
      continue;
    }
    violations.push(
      `event ${eventId} (${job.name}) was answered 200 but its so-events job is ${state}${state === 'failed' ? ' without a reason' : ''}`,
    );
  }

  // 2. Records a human changed end with what the provider derives from their latest inputs.
  const humanKeys = ledger.humanRecords();
  const finals = finalRecords(system, humanKeys);
  const expected = await reference.expected(finals);
  const failedEnrich = await system.enrich.getFailed();
  let caughtUp = 0;
  for (const r of finals) {
    const key = `${r.kind}:${r.id}`;
    const changes = ledger.humanChanges(key);
    const delivered = acceptedHuman.get(key) ?? 0;
    const lost = changes - delivered;
    const want = expected.get(key)!;
    const have = writtenUdfs(r.kind, r.record);
    const differs = Object.keys(want).filter((k) => want[k] !== have[k]);
    if (differs.length === 0) {
      if (lost > 0) caughtUp++;
      continue;
    }
    const failures = failedEnrich
      .filter((j) => {
        const d = j.data as { entity?: string; recordId?: number };
        return `${d.entity}:${d.recordId}` === key;
      })
      .map((j) => `failed enrichment ${j.id}: ${j.failedReason}`);
    const why =
      lost > 0
        ? `DROPPED: ${lost} of its ${changes} changes never reached the receiver and were not caught up${options.reconciliation ? ' by the reconciliation' : ' (reconciliation off in this scenario)'}`
        : `all ${changes} of its changes were accepted`;
    violations.push(
      `${key} does not hold what the provider derives from its latest inputs (${why}); ` +
        differs
          .map((k) => `${k}: expected ${JSON.stringify(want[k])}, has ${JSON.stringify(have[k])}`)
          .join('; ') +
        (failures.length ? `; ${failures.join('; ')}` : ''),
    );
  }

  // 3. No record written twice for the same change, none written without a change.
  for (const [key, writes] of ledger.writes) {
    const windows = ledger.windows(key);
    if (writes > windows)
      violations.push(
        `${key} was written ${writes} times for ${windows} human change window(s) (${ledger.humanChanges(key)} changes)`,
      );
  }

  const droppedList = dropped
    .map(([id, e]) => `${e.event} ${id} [${e.statuses.map((s) => s ?? 'no answer').join(',')}]`)
    .join('; ');
  if (dropped.length > 0 && violations.length > 0)
    violations.push(`deliveries SuperOffice dropped (never answered 200): ${droppedList}`);
  const summary =
    `accepted ${accepted.length} events (${failedEvents} failed with a reason), ` +
    `${dropped.length} dropped by SuperOffice after its retries, ${humanKeys.length} records changed ` +
    `${ledger.changes.length} times by humans, ${caughtUp} caught up after dropped changes, ` +
    `${ledger.totalWrites()} writes`;
  return {
    violations,
    summary,
    accepted: accepted.length,
    dropped: dropped.length,
    droppedList,
  };
}

/** States a job can be in while `settle()` waits for idle queues. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized'] as const;

/**
 * One line per job still pending in `so-events` and `so-enrich`: id, state, attempts, start, and
 * for a delayed job when it is due.
 */
export async function pendingJobsReport(system: RunningSystem, limit = 20): Promise<string> {
  const lines: string[] = [];
  for (const queue of [system.events, system.enrich]) {
    const client = await queue.client;
    const jobs = await queue.getJobs([...PENDING_STATES], 0, limit - 1);
    for (const job of jobs) {
      const state = await job.getState().catch((error: Error) => `unknown (${error.message})`);
      const started = job.processedOn ? new Date(job.processedOn).toISOString() : 'never';
      // From the delayed score (time × 0x1000 + n): an overdue job (no worker promoted it) is told
      // apart from one deferred to later.
      const score = state === 'delayed' ? await client.zscore(queue.keys.delayed!, job.id!) : null;
      const due =
        score === null
          ? ''
          : `, due ${Math.floor(Number(score) / 0x1000) - Date.now()} ms from now`;
      lines.push(
        `${queue.name} ${job.id}: ${state}, attemptsMade ${job.attemptsMade}, processedOn ${started}${due}`,
      );
    }
  }
  const spooled = spooledEvents(system.spoolDir);
  if (spooled > 0)
    lines.push(
      `${spooled} event(s) still in the receiver's spool (answered 200, not yet in Redis: the drainer retries every second; with REDIS_REPLICA_ACKS it needs a replica to acknowledge)`,
    );
  return lines.length > 0 ? lines.join('\n  ') : 'none listed (they finished meanwhile)';
}

/**
 * `system.settled()`; when its wait for idle queues times out, the error names the jobs still
 * pending and their states, so a CI failure explains itself.
 */
async function settledOrExplain(system: RunningSystem): Promise<void> {
  try {
    await system.settled();
  } catch (error) {
    const pending = await pendingJobsReport(system).catch(
      (e: Error) => `could not be listed (${e.message})`,
    );
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; jobs still pending:\n  ${pending}`,
    );
  }
}

/**
 * Waits for the system to settle and the invariant to hold (a reconciliation sweep may still be
 * on its way), then checks it a last time and fails with the full list of violations.
 */
export async function assertInvariant(
  system: RunningSystem,
  ledger: Ledger,
  reference: ReferenceTenant,
  options: InvariantOptions & { readonly timeoutMs?: number },
): Promise<InvariantReport> {
  await settledOrExplain(system);
  await waitFor(
    async () => (await checkInvariant(system, ledger, reference, options)).violations.length === 0,
    { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 500, what: 'the invariant' },
  ).catch(() => undefined);
  await settledOrExplain(system);
  const report = await checkInvariant(system, ledger, reference, options);
  if (report.violations.length > 0)
    throw new Error(
      `fault invariant violated (${report.summary}):\n- ${report.violations.join('\n- ')}`,
    );
  return report;
}
