import { readFileSync } from 'node:fs';
import type { ChangeEvent } from '@so-connector/superoffice-simulator';
import { HUMAN, type SimTenant } from '../tenants-deployment';

const TITLES = ['Head of Sales', 'Plant Manager', 'Chief Nurse', 'CTO'];

/**
 * Enrichment latency as a tenant sees it, measured at its simulated SuperOffice: from a human's
 * change of a record to the connector's first write of that record after it. A record changed
 * again before it was written keeps its first change's time (the change that waited longest).
 */
export class LatencyProbe {
  private readonly pending = new Map<string, number>();
  private samples: number[] = [];
  private recording = true;

  constructor(tenant: SimTenant) {
    const apiUser = tenant.sim.state.apiUser.associateId;
    tenant.sim.state.on('change', (change: ChangeEvent) => {
      const key = `${change.entity}:${change.primaryKey}`;
      const now = performance.now();
      if (change.changedByAssociateId !== apiUser) {
        if (!this.pending.has(key)) this.pending.set(key, now);
        return;
      }
      const since = this.pending.get(key);
      if (since === undefined) return;
      this.pending.delete(key);
      if (this.recording) this.samples.push(now - since);
    });
  }

  /** Changes not written yet. */
  waiting(): number {
    return this.pending.size;
  }

  /** The latencies (ms) measured since the last call, and starts a new series. */
  take(): number[] {
    const taken = this.samples;
    this.samples = [];
    return taken;
  }

  /** Stops recording (the tenant's writes are not part of the measurement any more). */
  stop(): void {
    this.recording = false;
  }
}

/** Where each tenant's round-robin is, across calls of `steadyChanges`. */
const position = new WeakMap<SimTenant, number>();
/** Every change's value is new (a change to the same value would not call for an enrichment). */
let changeNo = 0;

/**
 * Each tenant's human makes one relevant change every `everyMs`, round-robin over companies 2–5
 * and persons 11–14, so a record is changed again only after `8 × everyMs`; the tenants are
 * staggered so the changes arrive evenly. Load shape only: nothing waits on it.
 */
export function steadyChanges(
  tenants: readonly SimTenant[],
  everyMs: number,
): { stop(): void; count(): number } {
  const records = [
    ['contact', 2],
    ['person', 11],
    ['contact', 3],
    ['person', 12],
    ['contact', 4],
    ['person', 13],
    ['contact', 5],
    ['person', 14],
  ] as const;
  let n = 0;
  const timers = tenants.map((t, i) => {
    const change = () => {
      const seq = position.get(t) ?? 0;
      position.set(t, seq + 1);
      const [kind, id] = records[seq % records.length]!;
      const no = ++changeNo;
      n++;
      if (kind === 'contact')
        t.sim.editAs(HUMAN, kind, id, { Name: `${t.contextIdentifier} company ${id} #${no}` });
      else t.sim.editAs(HUMAN, kind, id, { Title: `${TITLES[no % TITLES.length]} #${no}` });
    };
    let interval: NodeJS.Timeout | undefined;
    const start = setTimeout(
      () => (interval = setInterval(change, everyMs)),
      (everyMs * i) / tenants.length,
    );
    return () => {
      clearTimeout(start);
      clearInterval(interval);
    };
  });
  return { stop: () => timers.forEach((stop) => stop()), count: () => n };
}

/** The q-quantile (0..1) of the values, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere). */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100 on Linux
  } catch {
    return Number.NaN;
  }
}
