import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import supertest from 'supertest';
import { aWebhookEvent, useTestRedis, type TestRedis } from '@so-connector/testing';
import { MAX_BODY_BYTES, MAX_DISCARDED_BYTES } from '../src/routes/webhook.route';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';

let redis: TestRedis;
let sut: ReceiverUnderTest;

beforeAll(async () => {
  redis = await useTestRedis();
  sut = await startReceiverForTest({ redisUrl: redis.url, prefix: redis.prefix });
});
afterAll(async () => {
  await sut.events.obliterate({ force: true });
  await sut.close();
  await redis.cleanup();
});

/** A raw connection to the receiver that collects every byte it answers. */
function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(Number(new URL(sut.url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return new Promise((resolve) =>
    socket.once('connect', () => resolve({ socket, received: () => received, closed })),
  );
}

/** Resolves once `received()` holds `count` answers (status lines), or rejects when it closes. */
async function answers(
  connection: Awaited<ReturnType<typeof open>>,
  count: number,
): Promise<string[]> {
  const statuses = () => [...connection.received().matchAll(/HTTP\/1\.1 (\d{3}) /g)];
  const enough = new Promise<void>((resolve) => {
    const check = () => {
      if (statuses().length >= count) {
        connection.socket.off('data', check);
        resolve();
      }
    };
    connection.socket.on('data', check);
    check();
  });
  await Promise.race([enough, connection.closed]);
  return statuses().map((match) => match[1]!);
}

function head(path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, '', ''].join('\r\n');
}

function signedRequest(): string {
  const delivery = signedDelivery(aWebhookEvent());
  return (
    head('/webhooks/superoffice', {
      ...delivery.headers,
      'content-length': String(Buffer.byteLength(delivery.text)),
    }) + delivery.text
  );
}

describe('a refused body is read to its end before the answer, so the answer is not reset away', () => {
  it('refuses a declared body over 256 KiB with 413, and the connection carries the next delivery', async () => {
    const connection = await open();
    const length = MAX_BODY_BYTES + 300_000;
    connection.socket.write(
      head('/webhooks/superoffice', {
        'content-type': 'application/json',
        'content-length': String(length),
        'x-superoffice-signature': 'x',
      }),
    );
    connection.socket.write(Buffer.alloc(length, 0x20));
    connection.socket.write(signedRequest());

    // Before discarding, the receiver closed the connection with the body unread: one answer.
    const got = await answers(connection, 2);
    expect(got).toEqual(['413', '200']);
    expect(connection.received()).toContain('"message":"body is larger than the 256 KiB limit"');
    connection.socket.destroy();
  });

  it('refuses a chunked body that grows past 256 KiB with 413, answered after its last chunk', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${sut.url}/webhooks/superoffice`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          'x-superoffice-signature': 'x',
        },
      });
      req.on('response', (answer) => {
        let body = '';
        answer.on('data', (chunk: Buffer) => (body += chunk.toString()));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
      });
      // A reset (EPIPE, ECONNRESET) is exactly the failure this guards against.
      req.on('error', reject);
      for (let i = 0; i < 80; i++) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({
      error: 'too_large',
      message: 'body is larger than the 256 KiB limit',
    });
  });

  it('refuses a non-JSON content type with 415 after reading the body it did not want', async () => {
    const connection = await open();
    const text = 'y'.repeat(200_000);
    connection.socket.write(
      head('/webhooks/superoffice', {
        'content-type': 'text/plain',
        'content-length': String(text.length),
      }) + text,
    );
    connection.socket.write(signedRequest());
    expect(await answers(connection, 2)).toEqual(['415', '200']);
    connection.socket.destroy();
  });

  it('answers a declared body larger than it would read at once, and closes the connection', async () => {
    const connection = await open();
    connection.socket.write(
      head('/webhooks/superoffice', {
        'content-type': 'application/json',
        'content-length': String(MAX_DISCARDED_BYTES + 1),
      }) + '{"EventId":',
    );
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(connection.received()).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('stops reading a chunked body once it has thrown away more than it would read', async () => {
    const connection = await open();
    connection.socket.write(
      head('/webhooks/superoffice', {
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      }),
    );
    const chunk = Buffer.concat([
      Buffer.from(`${(64 * 1024).toString(16)}\r\n`),
      Buffer.alloc(64 * 1024, 0x20),
      Buffer.from('\r\n'),
    ]);
    let sent = 0;
    let stillOpen = true;
    void connection.closed.then(() => (stillOpen = false));
    // An endless body: the receiver must end the connection, not the sender.
    while (stillOpen && sent < 64 * MAX_DISCARDED_BYTES) {
      if (!connection.socket.write(chunk)) {
        await Promise.race([
          new Promise((resolve) => connection.socket.once('drain', resolve)),
          connection.closed,
        ]);
      }
      sent += 64 * 1024;
    }
    await connection.closed;
    expect(sent).toBeGreaterThan(MAX_BODY_BYTES + MAX_DISCARDED_BYTES);
    expect(sent).toBeLessThan(64 * MAX_DISCARDED_BYTES);
  });
});

describe('after refusals', () => {
  it('keeps serving', async () => {
    const delivery = signedDelivery(aWebhookEvent(), SECRET);
    const res = await supertest(sut.url)
      .post('/webhooks/superoffice')
      .set(delivery.headers)
      .send(delivery.text);
    expect(res.status).toBe(200);
  });
});
