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
      /**
       * Frees the slot; returns a turned-away job of the tenant to bring forward (none with `pull`
       * false: the job ended told to wait, as the tenant's others would be).
       */
      readonly release: (now?: number, pull?: boolean) => PulledJob | undefined;
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
      const retryAt = this.nextTurn(tenant, jobs, now);
      this.nextReturn.set(tenant, retryAt);
      if (jobId !== undefined) this.track(tenant, jobId, retryAt);
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
      release: (at = Date.now(), pull = true) => {
        if (released) return undefined;
        released = true;
        set.delete(job);
        if (set.size === 0 && this.running.get(tenant) === set) this.running.delete(tenant);
        return pull ? this.pullForward(tenant, at) : undefined;
      },
    };
  }

  /**
   * For a job of the tenant about to be added (the events stage's new enrichment): when its turn
   * comes, if the tenant holds its share of the slots now or has turned-away jobs still to come
   * back (they come first), provided that is more than `beyondMs` away; the turn is then the
   * job's (the next one comes a step later), and `track` lets a freed slot pull the job forward
   * once it is added, as it pulls a turned-away one. Undefined when the tenant runs nothing here,
   * may start a job now, or its turn is soon enough: nothing is held and no turn taken. Adding a
   * flood's jobs already waiting for their turn spares each a pick-up and a move to delayed.
   */
  holdBack(tenant: string, now = Date.now(), beyondMs = 0): number | undefined {
    const jobs = this.running.get(tenant);
    if (!jobs) return undefined;
    const allowed = mayStart({
      inFlight: jobs.size,
      cap: this.options.cap,
      concurrency: this.options.concurrency,
      tenants: this.options.tenants(),
    });
    // A slot free now goes to the tenant's turned-away jobs first (a freed slot pulls the next).
    if (allowed && (this.nextReturn.get(tenant) ?? 0) <= now) return undefined;
    const retryAt = this.nextTurn(tenant, jobs, now);
    if (retryAt - now <= beyondMs) return undefined;
    this.nextReturn.set(tenant, retryAt);
    return retryAt;
  }

  /** Remembers a job of the tenant delayed until `retryAt` for its turn, for the pull on release. */
  track(tenant: string, jobId: string, retryAt: number): void {
    const list = this.turnedAway.get(tenant) ?? new Map<string, number>();
    if (list.size < SLOT_TRACKED_MAX) list.set(jobId, retryAt);
    this.turnedAway.set(tenant, list);
  }

  /** Tenants with running jobs or turned-away jobs still to come back (for tests and gauges). */
  tracked(): number {
    return new Set([...this.running.keys(), ...this.nextReturn.keys(), ...this.turnedAway.keys()])
      .size;
  }

  /**
   * The tenant's next turn: a step (slotRetryStepMs) after its last one, or after `now` when that
   * has passed, no further out than SLOT_RETURN_HORIZON_MS.
   */
  private nextTurn(tenant: string, jobs: Set<{ readonly startedAt: number }>, now: number): number {
    let oldest = now;
    for (const job of jobs) oldest = Math.min(oldest, job.startedAt);
    const step = slotRetryStepMs(now - oldest, this.options.cap);
    return Math.min(
      Math.max(now, this.nextReturn.get(tenant) ?? now) + step,
      now + SLOT_RETURN_HORIZON_MS,
    );
  }

  /**
   * A turned-away job of the tenant to bring forward, taken off the list: a slot of the tenant
   * just freed up, so the job need not wait for its turn. None when the jobs coming back within a
   * moment by themselves (SLOT_RETRY_MIN_MS) will take every slot the tenant has free: each such
   * job takes one, so the one pulled is the first after them. Entries whose time has passed came
   * back already (here or in another process) and are dropped.
   */
  private pullForward(tenant: string, now: number): PulledJob | undefined {
    const waiting = this.turnedAway.get(tenant);
    if (!waiting) return undefined;
    const free = this.freeSlots(tenant);
    let soon = 0;
    let pulled: PulledJob | undefined;
    for (const [id, retryAt] of waiting) {
      if (retryAt <= now) {
        waiting.delete(id);
        continue;
      }
      if (soon >= free) break;
      if (retryAt <= now + SLOT_RETRY_MIN_MS) {
        soon++;
        continue;
      }
      waiting.delete(id);
      pulled = { id, retryAt };
      break;
    }
    if (waiting.size === 0) this.turnedAway.delete(tenant);
    if (waiting.size === 0 && (this.nextReturn.get(tenant) ?? 0) <= now)
      this.nextReturn.delete(tenant);
    return pulled;
  }

  /** Slots the tenant may still take in this stage and process (Infinity when no cap binds). */
  private freeSlots(tenant: string): number {
    const { cap, concurrency } = this.options;
    if (this.options.tenants() < 2 || cap <= 0 || cap >= concurrency) return Infinity;
    return Math.max(0, cap - this.inFlight(tenant));
  }
}
