// The minimal reference of issue 2's benchmark: Express 5 + raw body + HMAC check + queue.add.
// It does nothing else (no schema, no tenant check, no duplicate detection, no spool, no metrics,
// no logs), so it marks the ceiling a receiver on the same stack can reach.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Queue } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';

const secret = process.env.WEBHOOK_SECRET ?? '';
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
});
const queue = new Queue('so-events', {
  connection: redis,
  prefix: process.env.QUEUE_PREFIX ?? 'ref',
});

const app = express();
app.post(
  '/webhooks/superoffice',
  express.raw({ type: () => true, limit: 256 * 1024 }),
  async (req, res) => {
    const body = req.body as Buffer;
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(req.get('x-superoffice-signature') ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).end();
      return;
    }
    const event = JSON.parse(body.toString('utf8')) as { EventId: string; Event: string };
    await queue.add(event.Event, event, { jobId: event.EventId });
    res.json({ status: 'accepted', eventId: event.EventId });
  },
);
app.listen(Number(process.env.PORT ?? 3100), () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => process.exit(0));
