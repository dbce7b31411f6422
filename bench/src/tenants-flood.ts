// Benchmark 8's flood, in a process of its own so that sending it does not slow the bench process
// that times the quiet tenants: `node dist/tenants-flood.js <spec.json>` posts the events of the
// spec file to the receiver's per-tenant route, signed as SuperOffice signs them, evenly spread
// over `seconds`, and prints one JSON line with what the receiver answered.
import { readFileSync } from 'node:fs';
import { signWebhookBody } from '@so-connector/testing';

export interface FloodSpec {
  /** `http://127.0.0.1:{port}/webhooks/superoffice/{ContextIdentifier}` */
  readonly url: string;
  readonly secret: string;
  readonly seconds: number;
  /** The webhook bodies, in the order sent. */
  readonly events: readonly Record<string, unknown>[];
}

export interface FloodResult {
  readonly sent: number;
  readonly accepted: number;
  readonly refused: number;
  readonly errors: number;
  /** How far behind its schedule the sender fell at worst (ms). */
  readonly lateMs: number;
  readonly ms: number;
}

const MAX_IN_FLIGHT = 64;

async function flood(spec: FloodSpec): Promise<FloodResult> {
  let accepted = 0;
  let refused = 0;
  let errors = 0;
  let lateMs = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const post = async (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    try {
      const res = await fetch(spec.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'X-SuperOffice-Event': String(event.Event),
          'X-SuperOffice-EventId': String(event.EventId),
          'X-SuperOffice-Retry': '0',
          'X-SuperOffice-Signature': signWebhookBody(body, spec.secret),
        },
        body,
      });
      await res.arrayBuffer();
      if (res.status === 200) accepted++;
      else refused++;
    } catch {
      errors++;
    }
  };
  const perMs = spec.events.length / (spec.seconds * 1000);
  for (let i = 0; i < spec.events.length; i++) {
    const due = start + i / perMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else lateMs = Math.max(lateMs, -wait);
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const p: Promise<void> = post(spec.events[i]!).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return {
    sent: spec.events.length,
    accepted,
    refused,
    errors,
    lateMs: Math.round(lateMs),
    ms: Math.round(performance.now() - start),
  };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/tenants-flood.js <spec.json>\n');
    process.exit(2);
  }
  flood(JSON.parse(readFileSync(file, 'utf8')) as FloodSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`flood failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
