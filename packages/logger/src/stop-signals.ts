// No imports but types: `signals.ts` (imported first by each `main`) loads this module before
// anything else, so the handlers are in place before the seconds it takes to load the rest.
import type { ShutdownRegistry } from './shutdown';

export type StopSignal = 'SIGTERM' | 'SIGINT';

export interface StopSignals {
  /**
   * From now on a stop signal runs `registry`'s shutdown and exits 0 when it was clean, 1 when a
   * step failed or outlived the deadline. A signal that came before runs it at once.
   */
  attach(registry: Pick<ShutdownRegistry, 'shutdown'>): void;
  /** True once SIGTERM or SIGINT has arrived. */
  readonly received: boolean;
  /** Removes the handlers again (a test that traps signals in its own process). */
  release(): void;
}

/**
 * Installs SIGTERM and SIGINT handlers; `main` does it through `@so-connector/logger/signals`. Until a registry is
 * attached the process holds nothing to close, so a signal exits 0 at once; without any handler
 * Node dies by the signal (exit code null), which orchestrators report as a crash. A second signal
 * during the shutdown is ignored: the registry's deadline bounds it.
 */
export function trapStopSignals(
  exit: (code: number) => void = (code) => process.exit(code),
): StopSignals {
  let registry: Pick<ShutdownRegistry, 'shutdown'> | undefined;
  let signal: StopSignal | undefined;
  const stop = () => {
    if (signal === undefined) return;
    if (registry === undefined) return exit(0);
    void registry.shutdown(signal).then((clean) => exit(clean ? 0 : 1));
  };
  const handlers = (['SIGTERM', 'SIGINT'] as const).map((name) => {
    const handler = () => {
      if (signal !== undefined) return;
      signal = name;
      stop();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    attach(attached) {
      registry = attached;
      stop();
    },
    get received() {
      return signal !== undefined;
    },
    release() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
