import type { EntryStatus, RunFact } from './entry';

/** Jobs of one account that follow each other within this gap form one run (DESIGN.md "Sync runs"). */
export const RUN_GAP_MS = 15 * 60_000;

/** An entry's state: its latest fact, plus when it was first seen. */
export interface RunEntry extends RunFact {
  readonly firstAt: string;
  /** Set when a QUEUED event was covered by a later enrichment of the same record. */
  readonly coveredBy?: string;
}

export interface SyncRun {
  /** The id of the run's first entry. */
  readonly id: string;
  readonly tenant: string;
  readonly accountId: number;
  readonly accountName: string | undefined;
  readonly ownerName: string | undefined;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly status: EntryStatus;
  /** Number of webhook events in the run. */
  readonly events: number;
  readonly fieldsWritten: readonly { key: string; old: string; new: string }[];
  readonly entries: readonly RunEntry[];
}

/** COMPLETED if any job completed (even when later echoes were SKIPPED); else FAILED, RUNNING, QUEUED, SKIPPED. */
const PRIORITY: readonly EntryStatus[] = ['COMPLETED', 'FAILED', 'RUNNING', 'QUEUED', 'SKIPPED'];

export function runStatus(statuses: readonly EntryStatus[]): EntryStatus {
  return PRIORITY.find((s) => statuses.includes(s)) ?? 'SKIPPED';
}

const TERMINAL: ReadonlySet<EntryStatus> = new Set(['COMPLETED', 'FAILED', 'SKIPPED']);

/** Latest fact per entry id; a QUEUED event is shown with the outcome of the enrichment that covered it. */
export function foldEntries(facts: readonly RunFact[]): RunEntry[] {
  const byId = new Map<string, RunEntry>();
  for (const fact of [...facts].sort((a, b) => a.at.localeCompare(b.at))) {
    const seen = byId.get(fact.id);
    byId.set(fact.id, { ...(seen ?? {}), ...fact, firstAt: seen?.firstAt ?? fact.at });
  }
  const entries = [...byId.values()].sort((a, b) => a.firstAt.localeCompare(b.firstAt));
  const enrichments = entries.filter((e) => e.kind === 'enrichment' && TERMINAL.has(e.status));
  return entries.map((entry) => {
    if (entry.kind !== 'event' || entry.status !== 'QUEUED') return entry;
    const cover = enrichments.find(
      (e) =>
        e.record.entity === entry.record.entity &&
        e.record.id === entry.record.id &&
        e.firstAt >= entry.firstAt,
    );
    return cover ? { ...entry, status: cover.status, coveredBy: cover.id } : entry;
  });
}

/** Splits an account's entries into runs: a gap over `gapMs` between entries starts a new run. */
export function clusterRuns(facts: readonly RunFact[], gapMs = RUN_GAP_MS): SyncRun[] {
  const entries = foldEntries(facts);
  const groups: RunEntry[][] = [];
  let lastMs = -Infinity;
  for (const entry of entries) {
    const ms = Date.parse(entry.firstAt);
    if (groups.length === 0 || ms - lastMs > gapMs) groups.push([]);
    groups[groups.length - 1]!.push(entry);
    lastMs = Math.max(lastMs, Date.parse(entry.at));
  }
  // The account's name and owner, once any job has read them, label every run of the account.
  const latest = [...entries].reverse();
  const knownName = latest.find((e) => e.accountName)?.accountName;
  const knownOwner = latest.find((e) => e.ownerName)?.ownerName;
  return groups.map((group) => {
    const named = [...group].reverse();
    return {
      id: group[0]!.id,
      tenant: group[0]!.tenant,
      accountId: group[0]!.accountId,
      accountName: named.find((e) => e.accountName)?.accountName ?? knownName,
      ownerName: named.find((e) => e.ownerName)?.ownerName ?? knownOwner,
      firstAt: group[0]!.firstAt,
      lastAt: group.reduce((max, e) => (e.at > max ? e.at : max), group[0]!.at),
      status: runStatus(group.map((e) => e.status)),
      events: group.filter((e) => e.kind === 'event').length,
      fieldsWritten: group.flatMap((e) => e.fieldsWritten ?? []),
      entries: group,
    };
  });
}
