import { exitOnConfigError, loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import { startWorker } from './start-worker';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => loadWorkerConfig(), 'worker');
  const enrichmentKey = config.enrichment.provider === 'builtin' ? [] : [config.enrichment.apiKey];
  const logger = createLogger({
    component: 'worker',
    level: config.log.level,
    format: config.log.format,
    secrets: [config.superoffice.clientSecret, config.superoffice.refreshToken, ...enrichmentKey],
  });
  const worker = await startWorker(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void worker.shutdown.shutdown(signal).then((clean) => process.exit(clean ? 0 : 1));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[worker] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
