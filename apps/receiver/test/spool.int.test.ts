import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import {
  aWebhookEvent,
  freePort,
  startRedisServer,
  waitFor,
  type RedisServer,
} from '@so-connector/testing';
import { eventsQueue, SECRET, signedDelivery, startReceiverForTest } from './receiver-harness';

// Every test here stops Redis, so each uses a redis-server of its own on a free port.
let redisServer: RedisServer;
beforeEach(async () => {
  redisServer = await startRedisServer({ appendOnly: 'everysec' });
});
afterEach(async () => {
  await redisServer.dispose();
});

async function postSigned(url: string, body: object) {
  const delivery = signedDelivery(body);
  return supertest(url).post('/webhooks/superoffice').set(delivery.headers).send(delivery.text);
}

describe('disk spool (in-process receiver)', () => {
  it('spools while Redis is down, answers 200 spooled, and drains with the same jobId when Redis is back', async () => {
    const sut = await startReceiverForTest({ redisUrl: redisServer.url, prefix: 'spool-a' });
    const inspect = eventsQueue(redisServer.url, 'spool-a');
    try {
      await redisServer.kill();
      const event = aWebhookEvent();
      const res = await postSigned(sut.url, event);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'spooled', eventId: event.EventId });
      expect(readdirSync(sut.spoolDir).filter((f) => f.endsWith('.json'))).toHaveLength(1);

      const ready = await supertest(sut.url).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'degraded', redis: 'down', spool: 'writable' });
      expect((await supertest(sut.url).get('/metrics')).text).toContain(
        'so_receiver_spool_depth 1',
      );
      // The drainer says why the spool does not drain, once, not at each pass (one a second).
      const paused = () => sut.logLines.filter((line) => line.includes('spool drain paused'));
      await waitFor(() => paused().length > 0, { what: 'the drainer saying why it paused' });
      await new Promise((resolve) => setTimeout(resolve, 2500)); // two more passes
      expect(paused()).toHaveLength(1);
      expect(paused()[0]).toMatch(/"error":"Redis connection is (connecting|reconnecting|close)"/);
      expect(paused()[0]).toContain('"spooled":1');

      await redisServer.start();
      const job = await waitFor(() => inspect.queue.getJob(event.EventId), {
        timeoutMs: 15_000,
        what: 'the spooled job in Redis',
      });
      expect(job.data).toMatchObject({ spooled: true, event });
      await waitFor(
        () => readdirSync(sut.spoolDir).filter((f) => f.endsWith('.json')).length === 0,
        { what: 'an empty spool' },
      );
      // The file is gone when unlink returns in the thread pool; the receiver counts it when that
      // completion reaches its event loop, which a loaded machine can delay past one /metrics call.
      await waitFor(
        async () =>
          (await supertest(sut.url).get('/metrics')).text.includes(
            'so_receiver_spool_drained_total 1',
          ),
        { what: 'the drained event counted in /metrics' },
      );
    } finally {
      await inspect.close();
      await sut.close();
    }
  });

  it('spools within the time bound when Redis is connected but does not answer', async () => {
    const sut = await startReceiverForTest({ redisUrl: redisServer.url, prefix: 'spool-hung' });
    const inspect = eventsQueue(redisServer.url, 'spool-hung');
    try {
      redisServer.pause();
      const event = aWebhookEvent();
      // Without the receiver's own time bound this request would wait for Redis forever.
      const res = await postSigned(sut.url, event);
      expect(res.body).toEqual({ status: 'spooled', eventId: event.EventId });
      redisServer.resume();
      // The add that timed out may land too; either way there is exactly one job.
      const job = await waitFor(() => inspect.queue.getJob(event.EventId), {
        timeoutMs: 15_000,
        what: 'the job',
      });
      expect(job.data.event).toEqual(event);
      await waitFor(
        () => readdirSync(sut.spoolDir).filter((f) => f.endsWith('.json')).length === 0,
        {
          what: 'an empty spool',
        },
      );
      expect(await inspect.queue.getWaitingCount()).toBe(1);
    } finally {
      redisServer.resume();
      await inspect.close();
      await sut.close();
    }
  });

  it('moves a spooled file that can never be a job to rejected/ and still drains the rest', async () => {
    const sut = await startReceiverForTest({ redisUrl: redisServer.url, prefix: 'spool-bad' });
    const inspect = eventsQueue(redisServer.url, 'spool-bad');
    try {
      await redisServer.kill();
      writeFileSync(join(sut.spoolDir, '000000000000001-not-json.json'), '{"event": ');
      writeFileSync(
        join(sut.spoolDir, '000000000000002-wrong-shape.json'),
        JSON.stringify({ hello: 'world' }),
      );
      const event = aWebhookEvent();
      expect((await postSigned(sut.url, event)).body.status).toBe('spooled');
      await redisServer.start();
      await waitFor(() => inspect.queue.getJob(event.EventId), {
        timeoutMs: 15_000,
        what: 'the good event in Redis',
      });
      await waitFor(() => readdirSync(join(sut.spoolDir, 'rejected')).length === 2, {
        what: 'both bad files rejected',
      });
      expect(readdirSync(join(sut.spoolDir, 'rejected')).sort()).toEqual([
        '000000000000001-not-json.json',
        '000000000000002-wrong-shape.json',
      ]);
      // The drainer deletes a spooled file only after Redis has its job, so the job can be seen
      // a moment before its file is gone (seen under load: the file was still there).
      await waitFor(
        () => readdirSync(sut.spoolDir).filter((f) => f.endsWith('.json')).length === 0,
        { what: 'the drained file removed from the spool' },
      );
    } finally {
      await inspect.close();
      await sut.close();
    }
  });

  it('answers 503 when neither Redis nor the spool can take the event', async () => {
    const sut = await startReceiverForTest({ redisUrl: redisServer.url, prefix: 'spool-b' });
    try {
      await redisServer.kill();
      rmSync(sut.spoolDir, { recursive: true, force: true });
      const res = await postSigned(sut.url, aWebhookEvent());
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'unavailable',
        message: 'the event could not be stored; retry later',
      });
      const ready = await supertest(sut.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ status: 'unavailable', redis: 'down', spool: 'unwritable' });
    } finally {
      await sut.close();
    }
  });
});

describe('disk spool (receiver process killed and restarted)', () => {
  const mainJs = join(__dirname, '..', 'dist', 'main.js');
  let spoolDir: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    spoolDir = mkdtempSync(join(tmpdir(), 'so-spool-proc-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(spoolDir, { recursive: true, force: true });
  });

  async function startProcess(port: number): Promise<ChildProcess> {
    if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run pnpm build first`);
    const proc = spawn(process.execPath, [mainJs], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        REDIS_URL: redisServer.url,
        QUEUE_PREFIX: 'spool-proc',
        SO_CONTEXT_IDENTIFIER: 'Cust12345',
        WEBHOOK_SECRET: SECRET,
        SPOOL_DIR: spoolDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, {
      timeoutMs: 15_000,
      what: 'the receiver process',
    });
    return proc;
  }

  it('keeps every spooled event across a SIGKILL and queues exactly N jobs once Redis is back', async () => {
    const N = 25;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await redisServer.kill();

    child = await startProcess(port);
    const events = Array.from({ length: N }, () => aWebhookEvent());
    const answers = await Promise.all(events.map((event) => postSigned(url, event)));
    expect(answers.map((a) => [a.status, a.body.status])).toEqual(
      events.map(() => [200, 'spooled']),
    );

    const killed = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await killed;
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.json'))).toHaveLength(N);

    child = await startProcess(port);
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).toContain(
      `so_receiver_spool_depth ${N}`,
    );
    await redisServer.start();

    const inspect = eventsQueue(redisServer.url, 'spool-proc');
    try {
      await waitFor(async () => (await inspect.queue.getWaitingCount()) === N, {
        timeoutMs: 20_000,
        what: `${N} waiting jobs`,
      });
      const jobs = await inspect.queue.getWaiting(0, N);
      expect(jobs.map((j) => j.id).sort()).toEqual(events.map((e) => e.EventId).sort());
      await waitFor(() => readdirSync(spoolDir).filter((f) => f.endsWith('.json')).length === 0, {
        what: 'an empty spool',
      });
      // A further delivery of one of them is now a duplicate, not a second job.
      expect((await postSigned(url, events[0]!)).body.status).toBe('duplicate');
      expect(await inspect.queue.getWaitingCount()).toBe(N);
    } finally {
      await inspect.close();
    }
  });
});
