/**
 * Per-tenant slots of one BullMQ worker (one stage) in this process: a tenant whose jobs are slow
 * (its SuperOffice hangs, answers after seconds, or times out) may hold at most `cap` of the
 * stage's `concurrency` slots at once, so the others stay free for the other tenants. A further
 * job of that tenant is turned away: servePerTenant moves it to delayed (DelayedError, no attempt
 * used) until `retryAt`.
 */

/** The shortest and longest wait of a turned-away job before it asks again (ms). */
export const SLOT_RETRY_MIN_MS = 250;
export const SLOT_RETRY_MAX_MS = 10_000;
/** However many of a tenant's jobs were turned away, none waits longer than this (ms). */
export const SLOT_RETRY_HORIZON_MS = 60_000;

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
 * How long after the tenant's last turned-away job the next one comes back: about how often one
 * of its slots frees up — the age of its oldest running job (how long its jobs take now) over the
 * cap — within [SLOT_RETRY_MIN_MS, SLOT_RETRY_MAX_MS]. Turned-away jobs come back one such step
 * apart, not all at once, so a hanging tenant's jobs do not spin through the queue (each fetch
 * also counts against the stage's rate limiter).
 */
export function slotRetryStepMs(oldestRunningMs: number, cap: number): number {
  const step = Math.ceil(oldestRunningMs / Math.max(1, cap));
  return Math.min(SLOT_RETRY_MAX_MS, Math.max(SLOT_RETRY_MIN_MS, step));
}

export type SlotTake =
  | { readonly granted: true; readonly release: () => void }
  | { readonly granted: false; readonly retryAt: number };

/** The running jobs of each tenant in one stage of this process (in memory, synchronous). */
export class TenantSlots {
  /** Start times of each tenant's running jobs; a tenant with none has no entry. */
  private readonly running = new Map<string, Set<{ readonly startedAt: number }>>();
  /** When the tenant's last turned-away job comes back; dropped once that has passed. */
  private readonly nextReturn = new Map<string, number>();

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

  /** Takes a slot for one of the tenant's jobs (release it when the job ends), or says when to come back. */
  take(tenant: string, now = Date.now()): SlotTake {
    const jobs = this.running.get(tenant);
    const allowed = mayStart({
      inFlight: jobs?.size ?? 0,
      cap: this.options.cap,
      concurrency: this.options.concurrency,
      tenants: this.options.tenants(),
    });
    if (!allowed && jobs) {
      let oldest = now;
      for (const job of jobs) oldest = Math.min(oldest, job.startedAt);
      const step = slotRetryStepMs(now - oldest, this.options.cap);
      const last = this.nextReturn.get(tenant) ?? now;
      const retryAt = Math.min(now + SLOT_RETRY_HORIZON_MS, Math.max(now, last) + step);
      this.nextReturn.set(tenant, retryAt);
      return { granted: false, retryAt };
    }
    if ((this.nextReturn.get(tenant) ?? 0) <= now) this.nextReturn.delete(tenant);
    const job = { startedAt: now };
    const set = jobs ?? new Set();
    set.add(job);
    this.running.set(tenant, set);
    let released = false;
    return {
      granted: true,
      release: () => {
        if (released) return;
        released = true;
        set.delete(job);
        if (set.size === 0 && this.running.get(tenant) === set) this.running.delete(tenant);
      },
    };
  }

  /** Tenants with running jobs or turned-away jobs still to come back (for tests and gauges). */
  tracked(): number {
    return new Set([...this.running.keys(), ...this.nextReturn.keys()]).size;
  }
}
