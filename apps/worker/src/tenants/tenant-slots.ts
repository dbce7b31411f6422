/**
 * Per-tenant slots of one BullMQ worker (one stage) in this process: a tenant whose jobs are slow
 * (its SuperOffice hangs, answers after seconds, or times out) may hold at most `cap` of the
 * stage's `concurrency` slots at once, so the others stay free for the other tenants. A further
 * job of that tenant is turned away: servePerTenant moves it to delayed (DelayedError, no attempt
 * used) until `retryAt`.
 *
 * Turned-away jobs come back one step apart: the k-th comes back k steps out, up to
 * SLOT_RETURN_HORIZON_MS, so a backlog of N behind the cap costs at most one fetch a step, or
 * N per horizon once it reaches that far, instead of the whole backlog once a minute. That a job
 * may be scheduled far out costs no throughput: when one of the tenant's jobs ends, its slot pulls
 * the earliest turned-away job forward (`release` names it, servePerTenant promotes it), so the
 * tenant's slots stay busy as long as it has work, and a tenant that recovers drains its backlog
 * at its new pace. The pull lives in this process's memory; the horizon is the backstop when it is
 * lost (a restart, the job fetched by another process, more than SLOT_TRACKED_MAX remembered).
 */

/** The shortest and longest wait between two turned-away jobs of a tenant (ms). */
export const SLOT_RETRY_MIN_MS = 250;
export const SLOT_RETRY_MAX_MS = 10_000;
/** Turned-away jobs remembered per tenant (for the pull on release); more just keep their time. */
export const SLOT_TRACKED_MAX = 5000;
/**
 * The farthest out a turned-away job is scheduled: how late a job comes back when no freed slot
 * pulls it (the worker restarted, or ran in another process). Ten minutes: a backlog past it costs
 * N/600 fetches a second, where the one-minute horizon before cost N/60.
 */
export const SLOT_RETURN_HORIZON_MS = 10 * 60_000;

/** A turned-away job a freed slot brings forward, and the time it was moved to delayed for. */
export interface PulledJob {
  readonly id: string;
  readonly retryAt: number;
}

/**
 * Whether a tenant that has `inFlight` jobs running in this stage and process may start one more.
 * The cap is off when it is 0 or not below the stage's concurrency (it could never bind), and
 * while the registry holds one tenant: there is no one to keep slots for, and capping the only
 * tenant would only slow it down.
 */
export function mayStart(input: {
  readonly inFlight: number;
  readonly cap: number;
  readonly concurrency: number;
  readonly tenants: number;
}): boolean {
  if (input.tenants < 2) return true;
  if (input.cap <= 0 || input.cap >= input.concurrency) return true;
  return input.inFlight < input.cap;
}

/**
 * The spacing of the tenant's turned-away jobs: about how often one of its slots frees up — the
 * age of its oldest running job (how long its jobs take now) over the cap — within
 * [SLOT_RETRY_MIN_MS, SLOT_RETRY_MAX_MS].
 */
export function slotRetryStepMs(oldestRunningMs: number, cap: number): number {
  const step = Math.ceil(oldestRunningMs / Math.max(1, cap));
  return Math.min(SLOT_RETRY_MAX_MS, Math.max(SLOT_RETRY_MIN_MS, step));
}

export type SlotTake =
  | {
      readonly granted: true;
      /** Frees the slot; returns a turned-away job of the tenant to bring forward. */
      readonly release: (now?: number) => PulledJob | undefined;
    }
  | { readonly granted: false; readonly retryAt: number };

/** The running jobs of each tenant in one stage of this process (in memory, synchronous). */
export class TenantSlots {
  /** Start times of each tenant's running jobs; a tenant with none has no entry. */
  private readonly running = new Map<string, Set<{ readonly startedAt: number }>>();
  /** When the tenant's last turned-away job comes back; dropped once that has passed. */
  private readonly nextReturn = new Map<string, number>();
  /** Each tenant's turned-away jobs still delayed: job id → retryAt, in order of retryAt. */
  private readonly turnedAway = new Map<string, Map<string, number>>();

  constructor(
    private readonly options: {
      readonly cap: number;
      readonly concurrency: number;
      /** How many tenants the registry holds now. */
      readonly tenants: () => number;
    },
  ) {}

  /** Jobs of the tenant running now in this stage and process. */
  inFlight(tenant: string): number {
    return this.running.get(tenant)?.size ?? 0;
  }

  /**
   * Takes a slot for one of the tenant's jobs (release it when the job ends), or says when to come
   * back. `jobId` lets a freed slot pull the job forward.
   */
  take(tenant: string, now = Date.now(), jobId?: string): SlotTake {
    const jobs = this.running.get(tenant);
    const allowed = mayStart({
      inFlight: jobs?.size ?? 0,
      cap: this.options.cap,
      concurrency: this.options.concurrency,
      tenants: this.options.tenants(),
    });
    const waiting = this.turnedAway.get(tenant);
    if (jobId !== undefined) waiting?.delete(jobId);
    if (!allowed && jobs) {
      let oldest = now;
      for (const job of jobs) oldest = Math.min(oldest, job.startedAt);
      const step = slotRetryStepMs(now - oldest, this.options.cap);
      const retryAt = Math.min(
        Math.max(now, this.nextReturn.get(tenant) ?? now) + step,
        now + SLOT_RETURN_HORIZON_MS,
      );
      this.nextReturn.set(tenant, retryAt);
      if (jobId !== undefined) {
        const list = waiting ?? new Map<string, number>();
        if (list.size < SLOT_TRACKED_MAX) list.set(jobId, retryAt);
        this.turnedAway.set(tenant, list);
      }
      return { granted: false, retryAt };
    }
    if (waiting?.size === 0) this.turnedAway.delete(tenant);
    if ((this.nextReturn.get(tenant) ?? 0) <= now) this.nextReturn.delete(tenant);
    const job = { startedAt: now };
    const set = jobs ?? new Set();
    set.add(job);
    this.running.set(tenant, set);
    let released = false;
    return {
      granted: true,
      release: (at = Date.now()) => {
        if (released) return undefined;
        released = true;
        set.delete(job);
        if (set.size === 0 && this.running.get(tenant) === set) this.running.delete(tenant);
        return this.pullForward(tenant, at);
      },
    };
  }

  /** Tenants with running jobs or turned-away jobs still to come back (for tests and gauges). */
  tracked(): number {
    return new Set([...this.running.keys(), ...this.nextReturn.keys(), ...this.turnedAway.keys()])
      .size;
  }

  /**
   * The earliest of the tenant's turned-away jobs, taken off the list: a slot of the tenant just
   * freed up, so it need not wait for its turn; none when that job comes back within a moment by
   * itself. Entries whose time has passed came back already (here or in another process) and are
   * dropped.
   */
  private pullForward(tenant: string, now: number): PulledJob | undefined {
    const waiting = this.turnedAway.get(tenant);
    if (!waiting) return undefined;
    let pulled: PulledJob | undefined;
    for (const [id, retryAt] of waiting) {
      if (retryAt <= now) {
        waiting.delete(id);
        continue;
      }
      // One comes back within a moment anyway and takes the slot: nothing to pull.
      if (retryAt <= now + SLOT_RETRY_MIN_MS) break;
      waiting.delete(id);
      pulled = { id, retryAt };
      break;
    }
    if (waiting.size === 0) this.turnedAway.delete(tenant);
    if (waiting.size === 0 && (this.nextReturn.get(tenant) ?? 0) <= now)
      this.nextReturn.delete(tenant);
    return pulled;
  }
}
