export interface ListBackoffOptions {
  /** First wait before a refused list is asked again (default 1 min); doubles per refusal. */
  readonly listRetryMinMs?: number;
  /** The longest wait (default 1 h). */
  readonly listRetryMaxMs?: number;
  /** At most one warning per list this often (default 1 h). */
  readonly warnEveryMs?: number;
  readonly now?: () => number;
}

export interface ListBackoff {
  /** The status a list refused with while its back-off runs; undefined when it may be asked. */
  refusal(list: string): number | undefined;
  /** The list refused again: the next wait, and whether to log a warning now. */
  refused(list: string, status: number): { retryInMs: number; warn: boolean };
  /** The list answered: forget its refusals. */
  readable(list: string): void;
}

/**
 * When to ask again for an MDO list that answered 404 or 403, and when to say so in the log. Pure
 * bookkeeping (the clock is a parameter); the caller does the reading.
 */
export function createListBackoff(options: ListBackoffOptions = {}): ListBackoff {
  const min = options.listRetryMinMs ?? 60_000;
  const max = options.listRetryMaxMs ?? 3_600_000;
  const warnEvery = options.warnEveryMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const state = new Map<
    string,
    { status: number; refusals: number; retryAt: number; warnedAt: number | undefined }
  >();
  return {
    refusal(list) {
      const s = state.get(list);
      return s && s.retryAt > now() ? s.status : undefined;
    },
    refused(list, status) {
      const s = state.get(list);
      const refusals = (s?.refusals ?? 0) + 1;
      const retryInMs = Math.min(max, min * 2 ** (refusals - 1));
      const warn = s?.warnedAt === undefined || now() - s.warnedAt >= warnEvery;
      state.set(list, {
        status,
        refusals,
        retryAt: now() + retryInMs,
        warnedAt: warn ? now() : s?.warnedAt,
      });
      return { retryInMs, warn };
    },
    readable(list) {
      const s = state.get(list);
      // The warning clock stays: a list that flaps still warns at most once per `warnEvery`.
      if (s) state.set(list, { ...s, refusals: 0, retryAt: 0 });
    },
  };
}
