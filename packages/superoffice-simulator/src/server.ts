import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { CallCounters } from './counters';
import { WebhookDispatcher, type DeliveryRecord, type SimWebhook } from './dispatch';
import { defaultFaults, seededRandom, type FaultSettings } from './faults';
import { AuthorizationServer } from './authorization-code';
import { adminRoutes } from './routes/admin.routes';
import { authorizeRoutes } from './routes/authorize.routes';
import { authRoutes, type OAuthClient, type TokenStore } from './routes/auth.routes';
import { apiRoutes } from './routes/api.routes';
import { systemUserRoutes } from './routes/system-user.routes';
import { SystemUserState, type SystemUserSettings } from './system-user';
import { loadSeed, type TenantSeed } from './seed';
import { TenantState } from './tenant-state';
import type { DateForm, Entity, EntityKind } from './tenant-types';

export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  readonly host?: string;
  readonly seed?: TenantSeed;
  readonly client?: Partial<OAuthClient>;
  /** `expires_in` of issued access tokens (default 3600). */
  readonly tokenExpiresInSeconds?: number;
  /** Multiplies SuperOffice's 1 s / 4 s webhook retry waits (default 1; tests use ~0.01). */
  readonly retryScale?: number;
  /** Seed of the fault injection's random numbers. */
  readonly randomSeed?: number;
  /** How UpdatedDate/CreatedDate are written (default `zoneless`; `offset` as in SuperOffice's samples). */
  readonly dateForm?: DateForm;
  /**
   * The system-user flow (superoffice-api.md 5.5): the app's registered public key and the
   * tenant's system token. Without `appPublicKey` every Authenticate call is refused.
   */
  readonly systemUser?: SystemUserSettings;
  /** The simulator's clock for ticket lifetimes and time stamp checks (default `Date.now`). */
  readonly now?: () => number;
}

export const DEFAULT_CLIENT: OAuthClient = {
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  refreshToken: 'sim-refresh-token',
};

export interface RunningSimulator {
  /** `http://127.0.0.1:{port}` */
  readonly url: string;
  /** What SO_TOKEN_URL should be. */
  readonly tokenUrl: string;
  /** The tenant status endpoint. */
  readonly statusUrl: string;
  /** The current `Api` base (what SO_API_BASE_URL would be); changes after `moveHost()`. */
  apiBaseUrl(): string;
  readonly client: OAuthClient;
  /** `POST …/Login/api/PartnerSystemUser/Authenticate` */
  readonly systemUserUrl: string;
  /** The JWKS that validates the Authenticate JWT and the id_token. */
  readonly jwksUrl: string;
  /** `GET …/login/common/oauth/authorize`: the consent page of the authorization-code flow. */
  readonly authorizeUrl: string;
  /** The authorization-code flow: `redirectUris`, `idTokenFault`, `codesExchanged`. */
  readonly oauth: AuthorizationServer;
  /** The system-user side of the tenant: its `systemUserToken`, `ticketsIssued`, `setAppPublicKey()`. */
  readonly systemUser: SystemUserState;
  readonly state: TenantState;
  readonly faults: FaultSettings;
  readonly counters: CallCounters;
  readonly deliveries: readonly DeliveryRecord[];
  webhooks(): SimWebhook[];
  /** An access token obtained through the token endpoint, as a client would (for tests and tools). */
  issueAccessToken(): Promise<string>;
  /**
   * Registers a webhook through the public API (`POST /v1/Webhook`), as an operator would: the
   * target gets the signed `test` ping and must answer 200. Resolves with the HTTP status.
   */
  registerWebhook(definition: {
    targetUrl: string;
    secret: string;
    events: readonly string[];
    name?: string;
  }): Promise<number>;
  /** Every issued access token stops working now (the next call gets 401). */
  expireTokens(): void;
  /** Every issued system-user ticket stops working now (the next call with one gets 401). */
  expireTickets(): void;
  /** The tenant moves to another numbered host: calls to the old base get 421. */
  moveHost(): void;
  /** A human (or any associate) edits a record, as in the SuperOffice UI; emits the webhook event. */
  editAs(associateId: number, kind: EntityKind, id: number, changes: Entity): Entity;
  createAs(associateId: number, kind: EntityKind, fields: Entity): Entity;
  deleteAs(associateId: number, kind: EntityKind, id: number): boolean;
  /**
   * Makes `GET /v1/MDOList/{listName}` answer 404 (`false` or 404) or 403, or readable again
   * (`true`). Over HTTP: `PUT /sim/lists/{listName}/readable` with `{"readable": ...}`.
   */
  setListReadable(listName: string, readable: boolean | 403 | 404): void;
  /** Resolves when no webhook delivery (or retry) is in flight. */
  deliveriesSettled(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a simulated SuperOffice tenant over real HTTP. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed ?? loadSeed();
  const state = new TenantState(seed, options.dateForm);
  const client: OAuthClient = { ...DEFAULT_CLIENT, ...options.client };
  const store: TokenStore = {
    tokens: new Map(),
    expiresInSeconds: options.tokenExpiresInSeconds ?? 3600,
  };
  const faults = defaultFaults();
  const systemUser = new SystemUserState(options.systemUser ?? {}, {
    contextIdentifier: seed.contextIdentifier,
    applicationToken: client.clientSecret,
    associateId: state.apiUser.associateId,
    now: options.now ?? Date.now,
  });
  const counters = new CallCounters();
  const webhooks = new Map<number, SimWebhook>();
  const dispatcher = new WebhookDispatcher(webhooks, {
    contextIdentifier: seed.contextIdentifier,
    retryScale: options.retryScale ?? 1,
    timeoutMs: 10_000,
  });
  state.on('change', (change) => dispatcher.dispatch(change));
  let generation = 1;
  let url = '';
  const apiBaseUrl = () => `${url}/online${generation}/${seed.contextIdentifier}/api`;
  const oauth = new AuthorizationServer({
    ...client,
    contextIdentifier: seed.contextIdentifier,
    associateId: state.apiUser.associateId,
    issuer: () => url,
    apiBase: apiBaseUrl,
    now: options.now ?? Date.now,
  });
  if (client.redirectUri) oauth.redirectUris.add(client.redirectUri);

  const app = express();
  app.disable('x-powered-by');
  // Before the admin routes, whose JSON parser would answer a malformed body with an HTML 400.
  app.use(systemUserRoutes({ systemUser, counters }));
  app.use(authorizeRoutes({ oauth, counters }));
  app.use(adminRoutes({ state, counters }));
  app.use(
    authRoutes({
      client,
      store,
      counters,
      contextIdentifier: seed.contextIdentifier,
      apiBase: apiBaseUrl,
      oauth,
    }),
  );
  app.use(
    '/:host/:ctx/api',
    apiRoutes({
      state,
      store,
      systemUser,
      applicationToken: client.clientSecret,
      faults,
      random: seededRandom(options.randomSeed ?? 1),
      counters,
      webhooks,
      dispatcher,
      hostGeneration: () => generation,
    }),
  );

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
  });
  url = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  const issueAccessToken = async (): Promise<string> => {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      refresh_token: client.refreshToken,
    });
    const res = await fetch(`${url}/login/common/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  return {
    url,
    issueAccessToken,
    tokenUrl: `${url}/login/common/oauth/tokens`,
    statusUrl: `${url}/api/state/${seed.contextIdentifier}`,
    apiBaseUrl,
    client,
    systemUserUrl: `${url}/Login/api/PartnerSystemUser/Authenticate`,
    jwksUrl: `${url}/login/.well-known/jwks`,
    authorizeUrl: `${url}/login/common/oauth/authorize`,
    oauth,
    systemUser,
    state,
    faults,
    counters,
    deliveries: dispatcher.deliveries,
    webhooks: () => [...webhooks.values()],
    async registerWebhook(definition) {
      const token = await issueAccessToken();
      const res = await fetch(`${apiBaseUrl()}/v1/Webhook`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          Name: definition.name ?? 'so-connector',
          Events: definition.events,
          TargetUrl: definition.targetUrl,
          Secret: definition.secret,
        }),
      });
      await res.arrayBuffer();
      return res.status;
    },
    expireTokens: () => store.tokens.clear(),
    expireTickets: () => systemUser.expireTickets(),
    moveHost: () => {
      generation++;
    },
    editAs: (associateId, kind, id, changes) => {
      const current = state.get(kind, id);
      if (!current) throw new Error(`${kind} ${id} not found`);
      return state.save(kind, id, { ...current, ...changes }, associateId);
    },
    createAs: (associateId, kind, fields) => state.create(kind, fields, associateId),
    deleteAs: (associateId, kind, id) => state.remove(kind, id, associateId),
    setListReadable: (listName, readable) => state.setListReadable(listName, readable),
    deliveriesSettled: () => dispatcher.idle(),
    async stop() {
      await dispatcher.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
