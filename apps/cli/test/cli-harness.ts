import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';
import { runCli, type RunCliOptions } from '../src/program';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON document of `--json`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on the parsed document
  json<T = any>(): T;
}

/** Runs the CLI in-process with this environment, capturing both streams. */
export async function cli(
  argv: readonly string[],
  env: Record<string, string>,
  options: RunCliOptions = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      env,
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    },
    options,
  );
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** The environment of a connector installed against this simulator and Redis. */
export function envFor(
  sim: RunningSimulator,
  redis: { url: string; prefix: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...superOfficeEnvFor(sim),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SO_UDF_VERTICAL: 'SuperOffice:83',
    SO_UDF_SUMMARY: 'SuperOffice:84',
    SO_UDF_OPENER: 'SuperOffice:85',
    SO_UDF_PERSON_OPENER: 'SuperOffice:91',
    ...extra,
  };
}

export interface ReceivedDelivery {
  readonly event: string;
  readonly signature: string | undefined;
  readonly body: string;
}

/**
 * A stand-in for the receiver's webhook route: answers SuperOffice's deliveries. With `secrets`
 * it verifies the signature as the receiver does (401 otherwise); `failEvents` makes every
 * delivery but the registration ping fail with 500.
 */
export interface TestReceiver {
  readonly url: string;
  readonly received: ReceivedDelivery[];
  secrets: readonly string[] | 'any';
  failEvents: boolean;
  close(): Promise<void>;
}

export function signedWith(body: string, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body, 'utf8').digest('base64'));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function startTestReceiver(): Promise<TestReceiver> {
  const received: ReceivedDelivery[] = [];
  const state: { secrets: readonly string[] | 'any'; failEvents: boolean } = {
    secrets: 'any',
    failEvents: false,
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const signature = req.headers['x-superoffice-signature'] as string | undefined;
      const event = String(req.headers['x-superoffice-event'] ?? '');
      received.push({ event, signature, body });
      const secrets = state.secrets;
      const ok = secrets === 'any' || secrets.some((s) => signedWith(body, signature, s));
      res.statusCode = !ok ? 401 : state.failEvents && event !== 'test' ? 500 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhooks/superoffice`,
    received,
    get secrets() {
      return state.secrets;
    },
    set secrets(value) {
      state.secrets = value;
    },
    get failEvents() {
      return state.failEvents;
    },
    set failEvents(value) {
      state.failEvents = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parks a webhook in TooManyErrors the way SuperOffice does: 9 failed attempts in a row. */
export async function forceTooManyErrors(
  sim: RunningSimulator,
  receiver: TestReceiver,
  webhookId: number,
): Promise<void> {
  receiver.failEvents = true;
  // Each change is one 3-attempt cycle; three cycles make the 9 consecutive failures.
  for (let i = 0; i < 3; i++) {
    sim.editAs(5, 'contact', 4, { Department: `dept ${i}` });
    await sim.deliveriesSettled();
  }
  receiver.failEvents = false;
  const hook = sim.webhooks().find((h) => h.WebhookId === webhookId);
  if (hook?.State !== 'TooManyErrors') throw new Error(`webhook ${webhookId} is ${hook?.State}`);
}
