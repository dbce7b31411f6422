import { PassThrough } from 'node:stream';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { freePort, superOfficeEnvFor, useTestRedis, waitFor } from '@so-connector/testing';
import { startWorker } from '../src/start-worker';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('worker shutdown', () => {
  it('leaves no timer behind, so a stopped worker does not keep its process alive', async () => {
    const redis = await useTestRedis();
    const sim = await startSimulator();
    try {
      const config = loadWorkerConfig({
        REDIS_URL: redis.url,
        QUEUE_PREFIX: redis.prefix,
        ...superOfficeEnvFor(sim),
        SO_UDF_VERTICAL: 'SuperOffice:83',
        // The metrics server is started and closed too; the maintenance schedulers would make
        // HTTP calls at start-up whose idle keep-alive sockets hold timers of their own.
        METRICS_PORT: String(await freePort()),
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
      });
      const logger = createLogger({
        component: 'worker',
        level: 'warn',
        format: 'json',
        destination: new PassThrough(),
      });
      const before = timers();
      for (let i = 0; i < 3; i++) {
        const worker = await startWorker(config, logger);
        expect(await worker.shutdown.shutdown('test')).toBe(true);
      }
      // BullMQ's stalled-job checker used to arm a 30 s timer after close(); none may remain.
      await waitFor(() => timers() <= before, {
        timeoutMs: 2000,
        what: 'the timers to be released',
      });
    } finally {
      await sim.stop();
      await redis.cleanup();
    }
  });
});
