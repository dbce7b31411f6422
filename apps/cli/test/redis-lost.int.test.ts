import { Worker } from 'bullmq';
import { QUEUE_NAMES, createRedisConnection } from '@so-connector/queue';
import { freePort, startRedisServer, type RedisProcess } from '@so-connector/testing';
import { cli } from './cli-harness';

// A command whose Redis is not there, dies (SIGKILL) or freezes (SIGSTOP) ends with exit code 4
// and one line naming REDIS_URL, instead of waiting for ever: the CLI's connection retries every
// command until Redis is back (the worker role BullMQ's QueueEvents needs), so only the PING watch
// (redis-connection.ts) ends it. Each case would hang without it (the test's timeout fails it).

const ANSWER_WITHIN_MS = 1000;
const PREFIX = 'cli-lost';

function envOf(url: string): Record<string, string> {
  return { REDIS_URL: url, QUEUE_PREFIX: PREFIX, SO_CONTEXT_IDENTIFIER: 'Cust1' };
}

describe('the CLI when Redis goes away', () => {
  it('a Redis that is not there: exit 4 within the answer time, naming REDIS_URL', async () => {
    const port = await freePort();
    const run = await cli(['failed', 'list'], envOf(`redis://127.0.0.1:${port}`), {
      redisAnswerWithinMs: ANSWER_WITHIN_MS,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      new RegExp(
        `Redis at 127\\.0\\.0\\.1:${port} did not answer within 1000 ms .*check REDIS_URL`,
      ),
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  describe.each([
    ['dies (SIGKILL)', (server: RedisProcess) => server.kill()],
    ['freezes (SIGSTOP)', (server: RedisProcess) => Promise.resolve(server.pause())],
  ])('a Redis that %s while `replay` waits for its job', (_, stopRedis) => {
    let server: RedisProcess;
    let worker: Worker | undefined;
    let workerConnection: ReturnType<typeof createRedisConnection> | undefined;
    let release: () => void = () => undefined;

    beforeEach(async () => {
      server = await startRedisServer();
    });
    afterEach(async () => {
      release();
      if (!server.running) await server.start();
      else server.resume();
      await worker?.close(true);
      workerConnection?.disconnect(); // given to the Worker, which does not close it
      await server.dispose();
    });

    it('ends with exit 4 and one line naming REDIS_URL', async () => {
      // A worker that takes the reconcile job and holds it: the command waits for its end.
      let started: () => void = () => undefined;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      workerConnection = createRedisConnection(server.url, { role: 'worker' });
      worker = new Worker(
        QUEUE_NAMES.maintenance,
        async () => {
          started();
          await held;
        },
        { connection: workerConnection, prefix: PREFIX },
      );
      await worker.waitUntilReady();

      const command = cli(['replay', '--since', '1h', '--timeout', '10m'], envOf(server.url), {
        redisAnswerWithinMs: ANSWER_WITHIN_MS,
      });
      await running;
      await stopRedis(server);
      const run = await command;

      expect(run.code).toBe(4);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^so-connector: Redis at 127\.0\.0\.1:\d+ stopped answering: no reply within 1000 ms.*check REDIS_URL and that Redis runs/,
      );
    });
  });
});
