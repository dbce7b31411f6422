import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { eventJobId, webhookEventSchema, type EventJobData } from '@so-connector/queue';

export interface Forwarder {
  /** The webhook target, `http://127.0.0.1:{port}/`. */
  readonly url: string;
  /** While true, the target answers 500 (SuperOffice retries, then drops the event). */
  failDeliveries(on: boolean): void;
  close(): Promise<void>;
}

/**
 * What the receiver does with a valid delivery, minimally: validate, enqueue on `so-events` with
 * jobId = EventId and the tenant from the body's ContextIdentifier (the receiver itself is covered
 * by its own tests and the e2e tier). Any number of simulated tenants may deliver to it.
 */
export async function startForwarder(events: Queue<EventJobData>): Promise<Forwarder> {
  let failing = false;
  const server: Server = createServer((req, res) => {
    if (failing) {
      req.resume();
      res.statusCode = 500;
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = webhookEventSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const done = () => {
        res.statusCode = 200;
        res.end();
      };
      if (event.Event === 'test') return done();
      events
        .add(
          event.Event,
          {
            tenant: event.ContextIdentifier,
            receivedAt: new Date().toISOString(),
            deliveryRetry: 0,
            spooled: false,
            event,
          },
          { jobId: eventJobId(event) },
        )
        .then(done, () => {
          res.statusCode = 503;
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    failDeliveries: (on) => {
      failing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
