/** Calls by route (`GET Contact/{id}`, `PATCH Person/{id}`, `POST token` …), read by tests and benchmarks. */
export class CallCounters {
  private readonly counts = new Map<string, number>();

  hit(route: string): void {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
  }

  get(route: string): number {
    return this.counts.get(route) ?? 0;
  }

  /** Sum over routes whose name starts with `prefix` (e.g. `PATCH `). */
  total(prefix = ''): number {
    let sum = 0;
    for (const [route, n] of this.counts) if (route.startsWith(prefix)) sum += n;
    return sum;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
  }
}
