// The bare baseline of benchmark 1: node:http + HMAC check + queue.add, no framework at all. With
// the Express reference it brackets the receiver: what Express itself costs, and what the
// receiver's own checks cost on top of Express.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const LIMIT = 256 * 1024;
const secret = process.env.WEBHOOK_SECRET ?? '';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});
const queue = new Queue('so-events', {
  connection: redis,
  prefix: process.env.QUEUE_PREFIX ?? 'bare',
});

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/webhooks/superoffice') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > LIMIT) {
      res.writeHead(413).end();
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac('sha256', secret).update(body).digest();
    const header = req.headers['x-superoffice-signature'];
    const given = Buffer.from(typeof header === 'string' ? header : '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    let event: { EventId: string; Event: string };
    try {
      event = JSON.parse(body.toString('utf8')) as { EventId: string; Event: string };
    } catch {
      res.writeHead(400).end();
      return;
    }
    queue.add(event.Event, event, { jobId: event.EventId }).then(
      () => {
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ status: 'accepted', eventId: event.EventId }));
      },
      () => res.writeHead(503).end(),
    );
  });
});
server.listen(Number(process.env.PORT ?? 3101), '127.0.0.1', () =>
  process.stdout.write('listening\n'),
);
process.once('SIGTERM', () => process.exit(0));
