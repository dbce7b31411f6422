// First import: it installs the SIGTERM/SIGINT handlers before the other modules load (a signal
// before that kills the process by the signal; Compose and Kubernetes send one on every rolling
// update, often right after a start).
import { stopSignals as signals } from '@so-connector/logger/signals';
import { exitOnConfigError, loadReceiverConfig, processEnvironment } from '@so-connector/config';
import { createLogger, createShutdownRegistry } from '@so-connector/logger';
import { onboardingConfigFromEnv } from './oauth/onboarding-settings';
import { startReceiver } from './start-receiver';

async function main(): Promise<void> {
  const config = exitOnConfigError(() => loadReceiverConfig(), 'receiver');
  const logger = createLogger({
    component: 'receiver',
    level: config.log.level,
    format: config.log.format,
    secrets: [
      ...config.webhook.secrets,
      ...(config.webhook.token ? [config.webhook.token] : []),
      ...(config.admin ? [config.admin.password] : []),
    ],
  });
  if (
    config.webhook.allowUnsigned &&
    config.webhook.secrets.length === 0 &&
    config.webhook.token === undefined
  ) {
    logger.warn(
      '!!! ALLOW_UNSIGNED=true: webhooks are accepted WITHOUT any signature or token. Anyone who can reach this port can inject events. Never run like this in production. !!!',
    );
  }
  const shutdown = createShutdownRegistry(logger, config.http.shutdownTimeoutMs);
  signals.attach(shutdown);
  await startReceiver(config, logger, {
    shutdown,
    env: processEnvironment(),
    onboarding: onboardingConfigFromEnv(processEnvironment()),
  });
}

main().catch((error: unknown) => {
  // A stop during start-up ends start-up early (or fails its last call); the shutdown exits.
  if (signals.received) return;
  process.stderr.write(
    `[receiver] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
