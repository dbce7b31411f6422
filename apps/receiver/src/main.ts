import { exitOnConfigError, loadReceiverConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
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
  if (config.webhook.secrets.length === 0 && config.webhook.token === undefined) {
    logger.warn(
      '!!! ALLOW_UNSIGNED=true: webhooks are accepted WITHOUT any signature or token. Anyone who can reach this port can inject events. Never run like this in production. !!!',
    );
  }
  const receiver = await startReceiver(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void receiver.shutdown.shutdown(signal).then((clean) => process.exit(clean ? 0 : 1));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[receiver] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
