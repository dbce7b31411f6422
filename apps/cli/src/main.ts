#!/usr/bin/env node
// First import: it installs the SIGTERM/SIGINT handlers before the other modules load.
import { stopSignals } from '@so-connector/logger/signals';
import { processEnvironment } from '@so-connector/config';
import { runCli } from './program';

/** A stopped command closes its Redis connection and queues within this, else exits 1. */
const STOP_DEADLINE_MS = 10_000;

const stop = new AbortController();
const finished = runCli(
  process.argv.slice(2),
  { env: processEnvironment(), stdout: process.stdout, stderr: process.stderr },
  { stop: stop.signal },
);
// SIGTERM/SIGINT: the command stops, closes what it opened, and the process exits 0 (1 when the
// closing outlived the deadline); Compose stops `docker compose run cli` containers this way.
stopSignals.attach({
  async shutdown(signal) {
    stop.abort(signal);
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      finished.then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), STOP_DEADLINE_MS);
      }),
    ]);
    clearTimeout(timer);
    return closed;
  },
});
// Exit explicitly rather than by draining the event loop: while a drained process tears down, the
// default signal handlers are back, and a SIGTERM in that window killed it by the signal (seen in
// e2e/faults/signals.faults.test.ts). On Linux, writes to a pipe or file are synchronous, so
// nothing printed is lost.
finished.then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `so-connector: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(70);
  },
);
