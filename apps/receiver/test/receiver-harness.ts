import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadReceiverConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import { QUEUE_NAMES, type EventJobData } from '@so-connector/queue';
import type { TenantRegistry } from '@so-connector/tenants';
import { signWebhookBody, TEST_TENANT } from '@so-connector/testing';
import type { OnboardingConfig } from '../src/oauth/onboarding-settings';
import { startReceiver, type RunningReceiver } from '../src/start-receiver';

export const SECRET = 'receiver-test-secret-0123456789';

export interface ReceiverUnderTest {
  readonly receiver: RunningReceiver;
  readonly url: string;
  /** Inspects `so-events` under the test's prefix. */
  readonly events: Queue<EventJobData>;
  readonly spoolDir: string;
  /** Every line the receiver logged. */
  readonly logLines: string[];
  close(): Promise<void>;
}

/**
 * The whole receiver in-process (real Express server on a free port, real Redis, real disk spool),
 * configured through the same loader as main.ts.
 */
export async function startReceiverForTest(options: {
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  /** No SO_CONTEXT_IDENTIFIER and no WEBHOOK_SECRET: every tenant comes from `env`'s sources. */
  withoutEnvironmentTenant?: boolean;
  /** Passed to startReceiver (the test owns and closes it); default: the receiver's own. */
  tenants?: TenantRegistry;
  /** What main.ts passes as `onboarding` (onboarding.int.test.ts). */
  onboarding?: OnboardingConfig;
}): Promise<ReceiverUnderTest> {
  const spoolDir = mkdtempSync(join(tmpdir(), 'so-spool-'));
  const config = loadReceiverConfig({
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    ...(options.withoutEnvironmentTenant
      ? {}
      : { SO_CONTEXT_IDENTIFIER: TEST_TENANT, WEBHOOK_SECRET: SECRET }),
    SPOOL_DIR: spoolDir,
    PORT: '0',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logLines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) =>
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  const logger = createLogger({
    component: 'receiver',
    level: 'debug',
    format: 'json',
    secrets: [...config.webhook.secrets, ...(config.webhook.token ? [config.webhook.token] : [])],
    destination,
  });
  const receiver = await startReceiver(config, logger, {
    tenants: options.tenants,
    ...(options.onboarding ? { onboarding: options.onboarding } : {}),
  });
  const inspector = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const events = new Queue<EventJobData>(QUEUE_NAMES.events, {
    connection: inspector,
    prefix: options.prefix,
  });
  return {
    receiver,
    url: `http://127.0.0.1:${receiver.port}`,
    events,
    spoolDir,
    logLines,
    async close() {
      await receiver.shutdown.shutdown('test end');
      await events.close();
      inspector.disconnect();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** A signed webhook request body and its headers, as SuperOffice sends them. */
export function signedDelivery(
  body: object | string,
  secret = SECRET,
  extraHeaders: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    text,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'NetServer-Webhook/10.3.5',
      'x-superoffice-signature': signWebhookBody(text, secret),
      ...extraHeaders,
    },
  };
}

/** A `so-events` queue on its own connection, to inspect what a receiver queued. */
export function eventsQueue(url: string, prefix: string) {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue<EventJobData>(QUEUE_NAMES.events, { connection, prefix });
  return {
    queue,
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}
