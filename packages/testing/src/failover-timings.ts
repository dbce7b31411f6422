// The failover fault tests' measured times (e2e/faults/cluster.faults.test.ts, sentinel.faults…),
// for benchmark 11 (bench/src/failover.bench.ts): with FAULT_TIMINGS_FILE set, each run appends
// one JSON line; without it nothing is written (the figures are in the test's log line either way).
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface FailoverTiming {
  readonly topology: 'cluster' | 'sentinel';
  readonly fault: string;
  /** From the fault to the replica's promotion, as the harness saw it. */
  readonly promotedMs: number;
  /** From the promotion to the first enrichment a worker started after it, finished. */
  readonly resumedMs: number;
  /** Events the receiver answered 200 for (the invariant found each of them processed). */
  readonly accepted: number;
  /** Events the receiver spooled to disk meanwhile (its log lines; the invariant saw them all through). */
  readonly spooled: number;
}

export function recordFailoverTiming(timing: FailoverTiming): void {
  const file = process.env.FAULT_TIMINGS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(timing)}\n`);
}

/** The timings a run of the tests appended to `file` (none when it does not exist). */
export function readFailoverTimings(file: string): FailoverTiming[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as FailoverTiming);
}
