import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import {
  startSimulator,
  loadSeed,
  type RunningSimulator,
  type TenantSeed,
} from '@so-connector/superoffice-simulator';
import { TenantStore } from '@so-connector/tenants';
import { TEST_TENANT } from '@so-connector/testing';
import { onboardingConfigFromEnv } from '../src/oauth/onboarding-settings';
import { ADMIN_PASSWORD, ADMIN_USER } from './admin-harness';
import { startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

/** The simulated customer tenant; not the receiver's environment tenant (TEST_TENANT). */
export const SIM_TENANT = 'Cust777';
export const SECRETS_KEY = Buffer.alloc(32, 9);

/** A port nobody listens on now: the redirect URI must name the receiver's port before it starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface HookPing {
  readonly path: string;
  readonly body: string;
  readonly signature: string | undefined;
}

/**
 * Where the tenant's webhook is registered in these tests (WEBHOOK_PUBLIC_URL): records each
 * delivery with its signature, so a test can check it was signed with the stored secret.
 */
export async function startHookTarget(): Promise<{
  readonly publicUrl: string;
  readonly pings: HookPing[];
  readonly status: { code: number };
  stop(): Promise<void>;
}> {
  const pings: HookPing[] = [];
  const status = { code: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signature = req.headers['x-superoffice-signature'];
      pings.push({
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof signature === 'string' ? signature : undefined,
      });
      res.writeHead(status.code, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    publicUrl: `http://127.0.0.1:${port}/so/webhooks/superoffice`,
    pings,
    status,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The demo tenant under another ContextIdentifier, with UDF labels discovery may not know. */
export function simSeed(labels?: { summary: string; opener: string }): TenantSeed {
  const seed = loadSeed();
  return {
    ...seed,
    contextIdentifier: SIM_TENANT,
    contactUdfs: labels
      ? seed.contactUdfs.map((u) =>
          u.progId === 'SuperOffice:84'
            ? { ...u, label: labels.summary }
            : u.progId === 'SuperOffice:85'
              ? { ...u, label: labels.opener }
              : u,
        )
      : seed.contactUdfs,
  };
}

export interface OnboardingSetup {
  readonly sim: RunningSimulator;
  readonly sut: ReceiverUnderTest;
  readonly store: TenantStore;
  readonly redis: Redis;
  readonly redirectUri: string;
  close(): Promise<void>;
}

/** The simulator (its app's redirect URI registered) and the whole receiver with onboarding on. */
export async function startOnboarding(options: {
  redisUrl: string;
  prefix: string;
  seed?: TenantSeed;
  /** WEBHOOK_PUBLIC_URL; default: none (the base comes from SO_REDIRECT_URI). */
  webhookPublicUrl?: string;
  /** Default true; false = TENANT_SECRETS_KEY unset. */
  withSecretsKey?: boolean;
  /** More receiver variables (e.g. TENANTS_FILE). */
  receiverEnv?: Record<string, string>;
}): Promise<OnboardingSetup> {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}/oauth/callback`;
  const sim = await startSimulator({ seed: options.seed ?? simSeed(), client: { redirectUri } });
  const key =
    options.withSecretsKey === false ? {} : { TENANT_SECRETS_KEY: SECRETS_KEY.toString('base64') };
  const env = {
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    SO_CONTEXT_IDENTIFIER: TEST_TENANT,
    SO_CLIENT_ID: sim.client.clientId,
    SO_CLIENT_SECRET: sim.client.clientSecret,
    SO_REDIRECT_URI: redirectUri,
    SO_TOKEN_URL: sim.tokenUrl,
    ...(options.webhookPublicUrl ? { WEBHOOK_PUBLIC_URL: options.webhookPublicUrl } : {}),
    ...key,
  };
  const sut = await startReceiverForTest({
    redisUrl: options.redisUrl,
    prefix: options.prefix,
    env: { ADMIN_USER, ADMIN_PASSWORD, PORT: String(port), ...key, ...options.receiverEnv },
    onboarding: onboardingConfigFromEnv(env),
  });
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const store = new TenantStore({ redis, prefix: options.prefix, secretsKey: SECRETS_KEY });
  return {
    sim,
    sut,
    store,
    redis,
    redirectUri,
    async close() {
      await sut.close();
      await sim.stop();
      redis.disconnect();
    },
  };
}
