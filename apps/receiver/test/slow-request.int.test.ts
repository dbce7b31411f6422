import { connect } from 'node:net';
import supertest from 'supertest';
import {
  aWebhookEvent,
  signWebhookBody,
  useTestRedis,
  type TestRedis,
} from '@so-connector/testing';
import { SECRET, startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

let redis: TestRedis;
let sut: ReceiverUnderTest;

beforeAll(async () => {
  redis = await useTestRedis();
  sut = await startReceiverForTest({
    redisUrl: redis.url,
    prefix: redis.prefix,
    env: { REQUEST_TIMEOUT_MS: '1000' },
  });
});
afterAll(async () => {
  await sut.close();
  await redis.cleanup();
});

/** Sends `head` and then nothing more; resolves with what the server answered before closing. */
function trickle(head: string, giveUpMs: number): Promise<string> {
  const { port } = new URL(sut.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, giveUpMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('slow requests (slowloris) are cut after REQUEST_TIMEOUT_MS', () => {
  it('answers 408 to a body that stops arriving, and keeps serving', async () => {
    const answer = await trickle(
      'POST /webhooks/superoffice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"EventId":',
      10_000,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);

    const event = aWebhookEvent();
    const body = JSON.stringify(event);
    const res = await supertest(sut.url)
      .post('/webhooks/superoffice')
      .set('content-type', 'application/json')
      .set('x-superoffice-signature', signWebhookBody(body, SECRET))
      .send(body);
    expect(res.status).toBe(200);
  });

  it('answers 408 to headers that stop arriving', async () => {
    const answer = await trickle('POST /webhooks/superoffice HTTP/1.1\r\nHost: x\r\n', 10_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});
