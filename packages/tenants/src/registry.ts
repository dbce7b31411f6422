import { inspect } from 'node:util';
import { FileTenantSource, type FileSourceOptions } from './file-source';
import {
  diffTenants,
  mergeSources,
  type MergedTenant,
  type TenantChange,
  type TenantSourceName,
} from './merge';
import { StoreTenantSource, type StoreSourceOptions } from './store-source';
import {
  freezeTenant,
  redactTenant,
  type RedactedTenant,
  type TenantConfig,
} from './tenant-config';
import type { TenantSource } from './tenant-source';

export interface TenantRegistryOptions {
  /** The environment shorthand's tenant (see tenantFromEnvironment), when the env names one. */
  readonly environment?: TenantConfig | undefined;
  /** TENANTS_FILE, when set. */
  readonly file?: FileSourceOptions;
  /** Onboarded tenants in Redis, when this deployment keeps them. */
  readonly store?: StoreSourceOptions;
}

/** A source that failed to reload and is serving its last good set. */
export interface TenantProblem {
  readonly source: TenantSourceName;
  /** One line, without secrets (e.g. the TenantsFileError's message). */
  readonly message: string;
  readonly error: Error;
}

/** What the registry shows of itself: no secret in it. */
export interface TenantRegistryView {
  readonly tenants: readonly (RedactedTenant & {
    readonly source: TenantSourceName;
    readonly shadows: readonly TenantSourceName[];
  })[];
  readonly problems: readonly { readonly source: TenantSourceName; readonly message: string }[];
}

type Listeners = {
  change: (change: TenantChange) => void;
  problem: (problem: TenantProblem) => void;
};

function staticSource(tenant: TenantConfig): TenantSource {
  const tenants = new Map([[tenant.contextIdentifier, freezeTenant(tenant)]]);
  return {
    name: 'environment',
    tenants: () => tenants,
    start: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * Every tenant this deployment serves, from the environment shorthand, TENANTS_FILE and the Redis
 * store, in one view (precedence: SOURCE_PRECEDENCE). Sources are watched: `change` fires within
 * seconds of an add, change or removal; `problem` fires when a source fails to reload, and the
 * registry goes on serving that source's last good set.
 */
export class TenantRegistry {
  private view = new Map<string, MergedTenant>();
  /** The view by lower-cased contextIdentifier (SuperOffice treats `Cust1` and `cust1` as one). */
  private byLowerCase = new Map<string, TenantConfig>();
  private readonly problemsBySource = new Map<TenantSourceName, TenantProblem>();
  private readonly listeners: { [E in keyof Listeners]: Set<Listeners[E]> } = {
    change: new Set(),
    problem: new Set(),
  };

  private constructor(private readonly sources: readonly TenantSource[]) {}

  /**
   * Loads every configured source once.
   * @throws the first source's error when one cannot load (an invalid TENANTS_FILE, stored tenants
   *   without TENANT_SECRETS_KEY, a wrong key): a process must not start with an unknown tenant set.
   */
  static async create(options: TenantRegistryOptions): Promise<TenantRegistry> {
    const sources: TenantSource[] = [];
    if (options.environment) sources.push(staticSource(options.environment));
    if (options.file) sources.push(new FileTenantSource(options.file));
    if (options.store) sources.push(new StoreTenantSource(options.store));
    const registry = new TenantRegistry(sources);
    try {
      for (const source of sources) {
        await source.start({
          loaded: () => registry.loaded(source),
          failed: (error) => registry.failed(source, error),
        });
      }
    } catch (error) {
      await registry.close();
      throw error;
    }
    registry.setView(registry.merge());
    return registry;
  }

  /** The tenant with this ContextIdentifier, or undefined when this deployment does not serve it. */
  get(contextIdentifier: string): TenantConfig | undefined {
    return this.view.get(contextIdentifier)?.tenant;
  }

  /**
   * The tenant with this ContextIdentifier in any letter case (a webhook path or body may spell it
   * differently from the configuration). The view holds each id once in any letter case (the
   * file refuses two spellings; across sources, and within the store, the first by
   * SOURCE_PRECEDENCE wins), so every spelling finds the same tenant.
   */
  find(contextIdentifier: string): TenantConfig | undefined {
    return this.byLowerCase.get(contextIdentifier.toLowerCase());
  }

  /** Every tenant, sorted by contextIdentifier. */
  list(): TenantConfig[] {
    return [...this.view.values()]
      .map((entry) => entry.tenant)
      .sort((a, b) => a.contextIdentifier.localeCompare(b.contextIdentifier));
  }

  /** Which source a tenant comes from. */
  sourceOf(contextIdentifier: string): TenantSourceName | undefined {
    return this.view.get(contextIdentifier)?.source;
  }

  /** Sources currently serving a last good set because their reload failed. */
  problems(): TenantProblem[] {
    return [...this.problemsBySource.values()];
  }

  /** Subscribes; returns the unsubscribe function. */
  on<E extends keyof Listeners>(event: E, listener: Listeners[E]): () => void {
    const set = this.listeners[event] as Set<Listeners[E]>;
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Stops watching every source. Idempotent. */
  async close(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.close()));
  }

  toJSON(): TenantRegistryView {
    return {
      tenants: [...this.view.values()]
        .sort((a, b) => a.tenant.contextIdentifier.localeCompare(b.tenant.contextIdentifier))
        .map(({ tenant, source, shadows }) => ({ ...redactTenant(tenant), source, shadows })),
      problems: this.problems().map(({ source, message }) => ({ source, message })),
    };
  }

  toString(): string {
    return `TenantRegistry(${this.list()
      .map((t) => t.contextIdentifier)
      .join(', ')})`;
  }

  [inspect.custom](): TenantRegistryView {
    return this.toJSON();
  }

  private merge(): Map<string, MergedTenant> {
    return mergeSources(new Map(this.sources.map((s) => [s.name, s.tenants()])));
  }

  private loaded(source: TenantSource): void {
    this.problemsBySource.delete(source.name);
    const next = this.merge();
    const change = diffTenants(this.view, next);
    this.setView(next);
    if (change.added.length + change.changed.length + change.removed.length === 0) return;
    this.emit('change', change);
  }

  private setView(next: Map<string, MergedTenant>): void {
    this.view = next;
    // mergeSources keeps one spelling per id, so no two tenants share a lower-cased key here.
    this.byLowerCase = new Map(
      [...next.values()].map(({ tenant }) => [tenant.contextIdentifier.toLowerCase(), tenant]),
    );
  }

  private failed(source: TenantSource, error: Error): void {
    const before = this.problemsBySource.get(source.name);
    const problem = { source: source.name, message: error.message, error };
    this.problemsBySource.set(source.name, problem);
    // A source that keeps failing the same way (Redis down, a file left broken) is reported once.
    if (before?.message !== problem.message) this.emit('problem', problem);
  }

  private emit<E extends keyof Listeners>(event: E, value: Parameters<Listeners[E]>[0]): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (v: typeof value) => void)(value);
      } catch {
        // A listener's own failure must not stop the registry or the other listeners.
      }
    }
  }
}
