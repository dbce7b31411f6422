import type { TenantStore } from './redis-store';
import { freezeTenant, type TenantConfig } from './tenant-config';
import { serialised, type SourceEvents, type TenantSource } from './tenant-source';

export interface StoreSourceOptions {
  readonly store: TenantStore;
  /**
   * How often the store's version is read (default 1000 ms): one HGET per process per interval.
   * A polled counter, unlike pub/sub, cannot miss a change made while this process was
   * disconnected from Redis.
   */
  readonly pollIntervalMs?: number;
}

/** Onboarded tenants from Redis, reloaded whenever the store's version moves. */
export class StoreTenantSource implements TenantSource {
  readonly name = 'store';
  private current = new Map<string, TenantConfig>();
  private version = -1;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;
  private events: SourceEvents | undefined;
  /** The last check failed: the next good one reports itself even if nothing changed. */
  private failing = false;
  private readonly checks = serialised(() => this.check());

  constructor(private readonly options: StoreSourceOptions) {}

  tenants(): ReadonlyMap<string, TenantConfig> {
    return this.current;
  }

  async start(events: SourceEvents): Promise<void> {
    await this.load();
    this.events = events;
    this.poll = setInterval(() => this.checks.kick(), this.options.pollIntervalMs ?? 1000);
    this.poll.unref();
  }

  /**
   * Stops polling. An in-flight check is not awaited: with `maxRetriesPerRequest: null` a command
   * waits for Redis indefinitely, and its result is dropped once closed.
   */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    return Promise.resolve();
  }

  private async load(): Promise<void> {
    const { version, tenants } = await this.options.store.load();
    if (this.closed) return;
    this.current = new Map(tenants.map((t) => [t.contextIdentifier, freezeTenant(t)]));
    this.version = version;
  }

  private async check(): Promise<void> {
    if (this.closed || this.events === undefined) return;
    try {
      const unchanged = (await this.options.store.version()) === this.version;
      if (unchanged && !this.failing) return;
      if (!unchanged) await this.load();
    } catch (error) {
      this.failing = true;
      if (!this.closed) this.events.failed(error as Error);
      return;
    }
    this.failing = false;
    if (!this.closed) this.events.loaded();
  }
}
