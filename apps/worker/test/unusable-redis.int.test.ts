import { PassThrough } from 'node:stream';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import { startSimulator } from '@so-connector/superoffice-simulator';
import {
  freePort,
  startRedisServer,
  superOfficeEnvFor,
  waitFor,
  type RedisProcess,
} from '@so-connector/testing';
import { startWorker } from '../src/start-worker';

// Issue 13, misconfiguration: a worker whose Redis cannot be used says why in one error line that
// names the variable (ioredis' own retries only say "connect ECONNREFUSED" over and over), keeps
// waiting rather than exiting, and starts once Redis is there, without a restart.
describe('worker whose Redis cannot be used at start-up', () => {
  it('logs one line naming REDIS_URL, waits, and starts when Redis comes', async () => {
    const port = await freePort();
    const sim = await startSimulator();
    const lines: Record<string, unknown>[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      ),
    );
    const logger = createLogger({
      component: 'worker',
      level: 'warn',
      format: 'json',
      destination,
    });
    const problems = () =>
      lines.filter((line) => String(line.message).startsWith('Redis cannot be used'));
    let server: RedisProcess | undefined;
    try {
      const config = loadWorkerConfig({
        REDIS_URL: `redis://127.0.0.1:${port}`,
        ...superOfficeEnvFor(sim),
        SO_UDF_VERTICAL: 'SuperOffice:83',
        METRICS_PORT: '0',
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
      });
      const starting = startWorker(config, logger);
      await waitFor(() => problems().length > 0, {
        timeoutMs: 15_000,
        what: 'the worker to say why Redis cannot be used',
      });
      expect(problems()).toHaveLength(1);
      expect(problems()[0]).toMatchObject({ level: 'error' });
      expect(String(problems()[0]!.message)).toMatch(
        new RegExp(
          `127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*check REDIS_URL.*the worker waits for it`,
        ),
      );

      server = await startRedisServer({ port });
      const worker = await starting;
      expect(problems()).toHaveLength(1);
      expect(await worker.shutdown.shutdown('test')).toBe(true);
    } finally {
      await server?.dispose();
      await sim.stop();
    }
  }, 60_000);
});
