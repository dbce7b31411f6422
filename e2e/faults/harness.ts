import { readdirSync } from 'node:fs';
import { waitFor } from '@so-connector/testing';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { startSystem, type RunningSystem } from '../system';
import { expectOnTopology, onTopology, type TopologyRedis } from '../topologies';
import { Ledger } from './invariant';

/** How long the "60 s" outages last; CI may set it lower (FAULT_OUTAGE_MS=20000). */
export const FAULT_OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS || 60_000);

/** A human user of the simulated tenant (RJ). */
export const HUMAN = 5;

/** Worker settings of the scenarios that run the reconciliation sweep. */
export const WITH_RECONCILIATION = { RECONCILE_INTERVAL_MS: '3000' };

const TITLES = ['Chief Technology Officer', 'Head of Sales', 'Plant Manager', 'Chief Nurse'];

/**
 * A known, deterministic set of human changes: round-robin over company 5, two companies it
 * creates, and persons 11–14 (whose companies it never edits, so an opener depends only on
 * inputs the workload sets). Every change touches a field the filters treat as relevant
 * (name, orgnr, title), so every change calls for an enrichment.
 */
export class Workload {
  private seq = 0;
  private readonly records: { kind: 'contact' | 'person'; id: number; name?: string }[] = [
    { kind: 'contact', id: 5, name: 'Baltic Freight Lines' },
    { kind: 'person', id: 11 },
    { kind: 'person', id: 12 },
    { kind: 'person', id: 13 },
    { kind: 'person', id: 14 },
  ];

  constructor(private readonly sim: RunningSimulator) {}

  /** Two new companies (`contact.created`), which join the round-robin. */
  createCompanies(): void {
    const seeds = [
      {
        Name: 'Aurora Cloud Software AS',
        OrgNr: '923456781',
        url: 'https://aurora-cloud.no',
        Description: 'Cloud platform for developers.',
      },
      {
        Name: 'Solvik Solar Energy AS',
        OrgNr: '934567812',
        url: 'https://solvik-solar.no',
        Description: 'Solar and wind power for the grid.',
      },
    ];
    for (const s of seeds) {
      const created = this.sim.createAs(HUMAN, 'contact', {
        Name: s.Name,
        OrgNr: s.OrgNr,
        Description: s.Description,
        Urls: [{ Value: s.url, StrippedValue: s.url.replace(/^https:\/\//, ''), Description: '' }],
        Domains: [new URL(s.url).hostname],
      });
      this.records.push({ kind: 'contact', id: Number(created.ContactId), name: s.Name });
    }
  }

  /** The next change of the round-robin. */
  change(): void {
    const n = this.seq++;
    const r = this.records[n % this.records.length]!;
    if (r.kind === 'person') {
      this.sim.editAs(HUMAN, 'person', r.id, { Title: `${TITLES[n % TITLES.length]} ${n}` });
    } else if (Math.floor(n / this.records.length) % 2 === 0) {
      this.sim.editAs(HUMAN, 'contact', r.id, { Name: `${r.name} ${n}` });
    } else {
      this.sim.editAs(HUMAN, 'contact', r.id, { OrgNr: String(900_000_000 + n) });
    }
  }

  changes(count: number): void {
    for (let i = 0; i < count; i++) this.change();
  }

  /** One change every `everyMs` until `stop()` (load shape only; correctness never waits on it). */
  steady(everyMs: number): { stop(): void } {
    const timer = setInterval(() => this.change(), everyMs);
    return { stop: () => clearInterval(timer) };
  }

  /** Changes made so far. */
  count(): number {
    return this.seq;
  }
}

export interface FaultRun {
  readonly system: RunningSystem;
  readonly ledger: Ledger;
  readonly workload: Workload;
}

/** Events the system's receiver spooled to disk so far (its 'spooling event to disk' log lines). */
export function spooledEvents(system: RunningSystem): number {
  return system.receiver.output().split('spooling event to disk').length - 1;
}

/** Waits until the receiver's spool directory holds no event (drained into the queue). */
export async function spoolDrained(system: RunningSystem): Promise<void> {
  await waitFor(() => readdirSync(system.spoolDir).every((f) => !f.endsWith('.json')), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'the spool drained',
  });
}

/** startSystem() plus the ledger (attached before any change) and the workload. */
export async function startFaultRun(
  options: Parameters<typeof startSystem>[0] = {},
): Promise<FaultRun> {
  const system = await startSystem(options);
  const ledger = new Ledger(system);
  return { system, ledger, workload: new Workload(system.sim) };
}

/**
 * startFaultRun on a Cluster or Sentinel setup (one redis-server when `redis` is undefined), checked
 * to run there: the processes signed in as the setup's ACL user. Stops the system when they did not.
 */
export async function startFaultRunOn(
  redis: TopologyRedis | undefined,
  options: Parameters<typeof startSystem>[0] = {},
): Promise<FaultRun> {
  const run = await startFaultRun({ ...onTopology(redis), ...options });
  try {
    await expectOnTopology(redis);
  } catch (error) {
    await run.system.stop();
    throw error;
  }
  return run;
}

/** The webhook SuperOffice delivers to (the suite registers exactly one). */
export function webhookState(sim: RunningSimulator): string {
  return sim.webhooks()[0]?.State ?? 'none';
}
