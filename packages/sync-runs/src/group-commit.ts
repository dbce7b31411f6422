interface Waiting<T> {
  readonly item: T;
  /** Whether the item starts a write (`add`) or only rides along (`addLater`). */
  readonly eager: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: items added while a write is in flight go together in the next write, so N
 * concurrent callers cost about one round trip instead of N, and a lone caller waits for no timer.
 * `add` resolves once the write holding its item has succeeded and rejects if that write failed:
 * a caller that awaits it never acknowledges an item that is not written. Nothing is buffered
 * beyond the callers waiting on it, so a process that dies loses only unacknowledged items.
 */
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private eagerWaiting = 0;
  private flushing: Promise<void> | undefined;
  private lateTimer: NodeJS.Timeout | undefined;
  private laterMs = 1000;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly maxBatch = 256,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, eager: true, resolve, reject });
      this.eagerWaiting++;
      this.flushing ??= this.flush(false);
    });
  }

  /**
   * Adds an item that starts no write of its own: it goes with the next write `add` starts, or at
   * the latest after `withinMs` (for what may wait, e.g. counters written after a job completed).
   */
  addLater(item: T, withinMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, eager: false, resolve, reject });
      this.laterMs = withinMs;
      this.armTimer();
    });
  }

  /** Resolves when every item added so far has been written or refused. */
  async idle(): Promise<void> {
    while (this.waiting.length > 0 || this.flushing) {
      this.clearTimer();
      this.flushing ??= this.flush(true);
      await this.flushing;
    }
  }

  private armTimer(): void {
    if (this.flushing || this.lateTimer) return;
    this.lateTimer = setTimeout(() => {
      this.lateTimer = undefined;
      this.flushing ??= this.flush(true);
    }, this.laterMs);
    this.lateTimer.unref();
  }

  private clearTimer(): void {
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = undefined;
  }

  /** Writes batches while an eager item waits (or everything, `all`); late items ride along. */
  private async flush(all: boolean): Promise<void> {
    // One turn of the event loop lets callers of the same tick join the first write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.clearTimer();
    while (this.waiting.length > 0 && (all || this.eagerWaiting > 0)) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.eagerWaiting -= batch.filter((w) => w.eager).length;
      try {
        await this.write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = undefined;
    if (this.waiting.length > 0) this.armTimer();
  }
}
