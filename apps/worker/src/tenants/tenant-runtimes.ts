import type { Logger } from '@so-connector/logger';
import type { TenantChange, TenantConfig, TenantRegistry } from '@so-connector/tenants';
import { credentialPrint, type ReconsentStore } from './reconsent-store';
import { isRevokedCredential } from './tenant-client';
import type { TenantRuntime } from './tenant-runtime';

/** Whether a job's tenant can be served now. */
export type TenantAccess =
  | { readonly kind: 'ready'; readonly runtime: TenantRuntime }
  /** Not in the registry (removed, or never known): its jobs end as skipped. */
  | { readonly kind: 'unknown' }
  /** SuperOffice refused its credential (`invalid_grant`): its jobs wait for a new one. */
  | { readonly kind: 'needs-reconsent'; readonly tenant: TenantConfig };

export interface TenantRuntimesOptions {
  readonly registry: TenantRegistry;
  readonly reconsent: ReconsentStore;
  readonly build: (tenant: TenantConfig) => Promise<TenantRuntime>;
  readonly logger: Logger;
  /** Called with a tenant's jobs deferred while it was marked, once the mark is cleared. */
  readonly resume: (contextIdentifier: string, jobs: readonly string[]) => Promise<void>;
}

/**
 * The worker's per-tenant runtimes: built lazily on a tenant's first job, shared by its later jobs,
 * and dropped (timers stopped) when the registry says the tenant changed or was removed, so the
 * next job builds it again from the new settings. Also the gate for "needs re-consent".
 */
export class TenantRuntimes {
  private readonly runtimes = new Map<string, Promise<TenantRuntime>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: TenantRuntimesOptions) {
    this.unsubscribe = options.registry.on('change', (change) => this.changed(change));
  }

  /** The tenant's runtime, or why its jobs cannot run now. Build errors other than a revoked credential reject. */
  async access(contextIdentifier: string): Promise<TenantAccess> {
    const tenant = this.options.registry.get(contextIdentifier);
    if (!tenant) return { kind: 'unknown' };
    const mark = await this.options.reconsent.current(contextIdentifier);
    if (mark) {
      if (mark.credential === credentialPrint(tenant)) return { kind: 'needs-reconsent', tenant };
      // The credential changed since it was refused (maybe while no worker ran): resume.
      await this.clearMark(contextIdentifier);
    }
    // Read again after the wait: a change that arrived meanwhile must not leave a runtime behind.
    const current = this.options.registry.get(contextIdentifier);
    if (!current) return { kind: 'unknown' };
    try {
      return { kind: 'ready', runtime: await this.runtime(current) };
    } catch (error) {
      if (!isRevokedCredential(error)) throw error;
      await this.revoked(current, error.errorType ?? 'invalid_grant');
      return { kind: 'needs-reconsent', tenant: current };
    }
  }

  /**
   * SuperOffice refused the tenant's credential: mark it (once, with a warning) and drop its
   * runtime, so nothing keeps a token cache that cannot refresh.
   */
  async revoked(tenant: TenantConfig, reason: string): Promise<void> {
    this.drop(tenant.contextIdentifier);
    if (await this.options.reconsent.mark(tenant, reason))
      this.options.logger.warn('tenant needs re-consent: SuperOffice refused its credential', {
        tenant: tenant.contextIdentifier,
        reason,
      });
  }

  /** Builds the tenant's runtime now (start-up uses it for the environment tenant). */
  warm(tenant: TenantConfig): Promise<TenantRuntime> {
    return this.runtime(tenant);
  }

  /** Tenants with a runtime now (built or being built). */
  active(): string[] {
    return [...this.runtimes.keys()].sort();
  }

  /** Stops listening and every runtime's timers. */
  close(): void {
    this.unsubscribe();
    for (const contextIdentifier of [...this.runtimes.keys()]) this.drop(contextIdentifier);
  }

  private runtime(tenant: TenantConfig): Promise<TenantRuntime> {
    const ctx = tenant.contextIdentifier;
    let pending = this.runtimes.get(ctx);
    if (!pending) {
      pending = this.options.build(tenant);
      this.runtimes.set(ctx, pending);
      const built = pending;
      // A failed build is not kept: the next job tries again.
      built.catch(() => {
        if (this.runtimes.get(ctx) === built) this.runtimes.delete(ctx);
      });
    }
    return pending;
  }

  private drop(contextIdentifier: string): void {
    const pending = this.runtimes.get(contextIdentifier);
    if (!pending) return;
    this.runtimes.delete(contextIdentifier);
    pending.then((runtime) => runtime.stop()).catch(() => undefined);
  }

  private changed(change: TenantChange): void {
    for (const ctx of [...change.changed, ...change.removed]) this.drop(ctx);
    if (change.changed.length || change.removed.length)
      this.options.logger.info('tenants changed; their runtimes are rebuilt on their next job', {
        changed: change.changed,
        removed: change.removed,
      });
    // A changed credential clears a re-consent mark at once (not only when a job looks); a removed
    // tenant's mark goes too, and its deferred jobs wake to end as skipped (tenant-unknown).
    for (const ctx of [...change.changed, ...change.removed]) {
      void this.resumeIfNewCredential(ctx).catch((error: unknown) =>
        this.options.logger.warn('re-consent mark not checked', {
          tenant: ctx,
          error: String(error),
        }),
      );
    }
  }

  private async resumeIfNewCredential(contextIdentifier: string): Promise<void> {
    const mark = await this.options.reconsent.get(contextIdentifier);
    if (!mark) return;
    const tenant = this.options.registry.get(contextIdentifier);
    if (tenant && mark.credential === credentialPrint(tenant)) return;
    await this.clearMark(contextIdentifier);
  }

  private async clearMark(contextIdentifier: string): Promise<void> {
    const jobs = await this.options.reconsent.clear(contextIdentifier);
    this.options.logger.info(
      're-consent mark cleared (credential changed or tenant removed); deferred jobs wake',
      {
        tenant: contextIdentifier,
        deferredJobs: jobs.length,
      },
    );
    await this.options.resume(contextIdentifier, jobs);
  }
}
