interface Waiting<T> {
  readonly item: T;
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
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    private readonly maxBatch = 256,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Resolves when every item added so far has been written or refused. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    // One turn of the event loop lets callers of the same tick join the first write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        await this.write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = undefined;
  }
}
