/** Failures the simulator can inject, changeable while it runs. */
export interface FaultSettings {
  /** Added to every API response (ms). */
  latencyMs: number;
  /** Share (0..1) of API calls answered 500. */
  errorRate: number;
  /** The next N API calls answer 429 with Retry-After. */
  rateLimitRemaining: number;
  retryAfterSeconds: number;
  /** While true every API call answers 503, as during an outage. */
  outage: boolean;
  /**
   * Media types a PATCH body may have; any other gets 415. Default: what SuperOffice's PATCH
   * request samples send, `application/json` (with `charset=utf-8`). Set to
   * `['application/json-patch+json']` to model a tenant that wants RFC 6902's type.
   */
  patchContentTypes: string[];
}

/** Deterministic pseudo-random numbers (mulberry32), so a fault run is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function defaultFaults(): FaultSettings {
  return {
    latencyMs: 0,
    errorRate: 0,
    rateLimitRemaining: 0,
    retryAfterSeconds: 1,
    outage: false,
    patchContentTypes: ['application/json'],
  };
}
