// First import: it installs the SIGTERM/SIGINT handlers before the other modules load (a signal
// before that kills the process by the signal; Compose and Kubernetes send one on every rolling
// update, often right after a start).
import { stopSignals as signals } from '@so-connector/logger/signals';
import { exitOnConfigError, loadWorkerConfig, processEnvironment } from '@so-connector/config';
import { createLogger, createShutdownRegistry } from '@so-connector/logger';
import { startWorker } from './start-worker';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => loadWorkerConfig(), 'worker');
  const enrichmentKey = config.enrichment.provider === 'builtin' ? [] : [config.enrichment.apiKey];
  const logger = createLogger({
    component: 'worker',
    level: config.log.level,
    format: config.log.format,
    secrets: [
      config.superoffice.clientSecret,
      ...(config.superoffice.refreshToken === undefined ? [] : [config.superoffice.refreshToken]),
      ...enrichmentKey,
    ],
  });
  const shutdown = createShutdownRegistry(logger, config.worker.shutdownTimeoutMs);
  signals.attach(shutdown);
  await startWorker(config, logger, { shutdown, env: processEnvironment() });
}

main().catch((error: unknown) => {
  // A stop during start-up ends start-up early (or fails its last call); the shutdown exits.
  if (signals.received) return;
  process.stderr.write(
    `[worker] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
