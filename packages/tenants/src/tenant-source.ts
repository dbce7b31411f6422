import type { TenantSourceName } from './merge';
import type { TenantConfig } from './tenant-config';

/** How a source tells the registry what happened after its first load. */
export interface SourceEvents {
  /**
   * A reload succeeded: the source's tenants may be new (the registry works out whether anything
   * differs), and an earlier failure is over.
   */
  loaded(): void;
  /** A reload failed; the source keeps serving its last good set. */
  failed(error: Error): void;
}

/** One origin of tenants. `start` loads once and throws when that fails; then it watches. */
export interface TenantSource {
  readonly name: TenantSourceName;
  tenants(): ReadonlyMap<string, TenantConfig>;
  start(events: SourceEvents): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `task` now, or once more after the current run when asked again meanwhile: never twice at
 * once. `task` must handle its own errors (the sources report them through SourceEvents).
 */
export function serialised(task: () => Promise<void>): { kick(): void; idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const kick = () => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
  };
  return { kick, idle: () => running ?? Promise.resolve() };
}
