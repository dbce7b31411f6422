import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { AuthProvider } from './auth/auth-provider';
import type { TenantUrlResolver } from './auth/tenant-url';
import { contactEntitySchema, type ContactEntity } from './entities/contact';
import { personEntitySchema, type PersonEntity } from './entities/person';
import {
  mdoListSchema,
  udfLayoutSchema,
  type MdoListItem,
  type UdfDefinition,
} from './entities/udf-layout';
import { principalSchema, type Principal } from './entities/user';
import { INFERRED } from './inferred';
import { createRateLimiter } from './http/rate-limiter';
import { patchJson } from './http/json-patch-request';
import { createRequest, type CallRecord, type RequestFn } from './http/request';
import { fetchUpdatedSince } from './queries/updated-since';
import {
  writeUdfs,
  type PatchUdfsOptions,
  type UdfOwner,
  type UdfWriteMode,
} from './udf/udf-write';
import {
  webhookSchema,
  webhookTestResultSchema,
  type Webhook,
  type WebhookDefinition,
  type WebhookTestResult,
} from './entities/webhook';

export {
  escapeJsonPointer,
  udfPatchOperations,
  type PatchUdfsOptions,
  type UdfOwner,
  type UdfWriteMode,
} from './udf/udf-write';

export interface SuperOfficeClientOptions {
  readonly auth: AuthProvider;
  readonly tenant: TenantUrlResolver;
  readonly udfWriteMode?: UdfWriteMode;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  readonly http?: AxiosInstance;
  readonly onCall?: (call: CallRecord) => void;
  /** How long the current principal is cached (default 1 h). */
  readonly principalTtlMs?: number;
  /** At most this many calls start per second from this client (default: no limit). */
  readonly rateLimitPerSecond?: number;
  /**
   * Runs before each call is sent (after the rate limit): a caller's own gate, e.g. a tenant's
   * budget. A rejection fails the call before anything is sent, and is not counted by `onCall`.
   */
  readonly beforeCall?: () => Promise<void>;
}

/** The rate limit, then the caller's gate: both run before each call is sent. */
function throttleFor(options: SuperOfficeClientOptions): { throttle?: () => Promise<void> } {
  const limiter = options.rateLimitPerSecond
    ? createRateLimiter(options.rateLimitPerSecond)
    : undefined;
  const gate = options.beforeCall;
  if (!limiter && !gate) return {};
  return {
    throttle: async () => {
      await limiter?.();
      await gate?.();
    },
  };
}

const entitySchemas = { Contact: contactEntitySchema, Person: personEntitySchema } as const;

/** Typed SuperOffice calls over one request core (auth, tenant URL, errors). */
export class SuperOfficeClient {
  private readonly request: RequestFn;
  private readonly writeMode: UdfWriteMode;
  private principal: { value: Principal; until: number } | undefined;

  constructor(private readonly options: SuperOfficeClientOptions) {
    const http = options.http ?? axios.create({ timeout: options.timeoutMs ?? 30_000 });
    this.request = createRequest({
      http,
      auth: options.auth,
      tenant: options.tenant,
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...throttleFor(options),
    });
    this.writeMode = options.udfWriteMode ?? 'json-patch';
  }

  getContact(id: number): Promise<ContactEntity> {
    return this.request({ method: 'GET', path: `/v1/Contact/${id}`, schema: contactEntitySchema });
  }

  getPerson(id: number): Promise<PersonEntity> {
    return this.request({ method: 'GET', path: `/v1/Person/${id}`, schema: personEntitySchema });
  }

  /**
   * Creates a company (`POST /v1/Contact`, superoffice-api.md 6.2), for `so-connector
   * create-test-company`. SuperOffice fills every field not given with its defaults.
   */
  createContact(
    fields: Readonly<{ Name: string } & Record<string, unknown>>,
  ): Promise<ContactEntity> {
    return this.request({
      method: 'POST',
      path: '/v1/Contact',
      body: fields,
      schema: contactEntitySchema,
    });
  }

  patchContactUdfs(
    id: number,
    values: Readonly<Record<string, string>>,
    options?: PatchUdfsOptions,
  ): Promise<ContactEntity> {
    return this.writeUdfs('Contact', id, values, options) as Promise<ContactEntity>;
  }

  patchPersonUdfs(
    id: number,
    values: Readonly<Record<string, string>>,
    options?: PatchUdfsOptions,
  ): Promise<PersonEntity> {
    return this.writeUdfs('Person', id, values, options) as Promise<PersonEntity>;
  }

  /** The API user; its AssociateId marks the connector's own changes (echoes). Cached unless `fresh`. */
  async getCurrentPrincipal(options: { fresh?: boolean } = {}): Promise<Principal> {
    if (!options.fresh && this.principal && this.principal.until > Date.now())
      return this.principal.value;
    const value = await this.request({
      method: 'GET',
      path: '/v1/User/currentPrincipal',
      schema: principalSchema,
    });
    this.principal = { value, until: Date.now() + (this.options.principalTtlMs ?? 3_600_000) };
    return value;
  }

  getPublishedUdfLayout(owner: UdfOwner): Promise<UdfDefinition[]> {
    return this.request({
      method: 'GET',
      path: `/v1/${owner}/UdefLayout/Published`,
      schema: udfLayoutSchema,
    });
  }

  /** Items of the MDO list behind a list UDF (`MdoListName` in the layout), flat. */
  getMdoListItems(listName: string): Promise<MdoListItem[]> {
    return this.request({
      method: 'GET',
      path: `/v1/MDOList/${encodeURIComponent(listName)}`,
      query: INFERRED.mdoListQuery,
      schema: mdoListSchema,
    });
  }

  /**
   * Contact ids updated after `since` (ISO), for the reconciliation sweep. OData feed ordered by the
   * primary key and paged, as SuperOffice's performance rules ask (superoffice-api.md 6.7).
   */
  async findContactsUpdatedSince(
    since: string,
    pageSize = 500,
  ): Promise<{ contactId: number; updatedDate: string | null }[]> {
    const rows = await fetchUpdatedSince(this.request, 'Contact', 'contactId', since, pageSize);
    return rows.map((row) => ({ contactId: row.contactId, updatedDate: row.updatedDate ?? null }));
  }

  /** Person ids (with their company) updated after `since` (ISO), for the reconciliation sweep. */
  async findPersonsUpdatedSince(
    since: string,
    pageSize = 500,
  ): Promise<{ personId: number; contactId: number | null; updatedDate: string | null }[]> {
    const rows = await fetchUpdatedSince(this.request, 'Person', 'personId', since, pageSize, [
      'contactId',
    ]);
    return rows.map((row) => ({
      personId: row.personId,
      contactId: typeof row.contactId === 'number' && row.contactId > 0 ? row.contactId : null,
      updatedDate: row.updatedDate ?? null,
    }));
  }

  /**
   * SuperOffice's raw JSON for a GET below the API base (`raw GET /v1/Contact/42`): "verify before
   * blaming the vendor". Auth, tenant URL and errors as for every other call; no schema.
   */
  getRaw(path: string, query?: Readonly<Record<string, string>>): Promise<unknown> {
    const normalised = path.replace(/^\/?(api\/)?/i, '/');
    return this.request({ method: 'GET', path: normalised, ...(query ? { query } : {}) });
  }

  // --- Webhook API (superoffice-api.md 4) ---

  listWebhooks(
    filter: {
      name?: string;
      event?: string;
      state?: 'Unknown' | 'Active' | 'Stopped' | 'TooManyErrors';
    } = {},
  ): Promise<Webhook[]> {
    const query: Record<string, string> = {};
    if (filter.name) query.nameFilter = filter.name;
    if (filter.event) query.eventFilter = filter.event;
    if (filter.state) query.statusFilter = filter.state;
    return this.request({
      method: 'GET',
      path: '/v1/Webhook',
      query,
      schema: z.array(webhookSchema),
    });
  }

  getWebhook(id: number): Promise<Webhook> {
    return this.request({ method: 'GET', path: `/v1/Webhook/${id}`, schema: webhookSchema });
  }

  /** SuperOffice pings `TargetUrl` with a `test` event while saving; the save fails unless it answers 200. */
  createWebhook(definition: WebhookDefinition): Promise<Webhook> {
    return this.request({
      method: 'POST',
      path: '/v1/Webhook',
      body: { Type: 'webhook', State: 'Active', ...definition },
      schema: webhookSchema,
    });
  }

  updateWebhook(id: number, definition: WebhookDefinition): Promise<Webhook> {
    return this.request({
      method: 'PUT',
      path: `/v1/Webhook/${id}`,
      body: { ...definition, WebhookId: id },
      schema: webhookSchema,
    });
  }

  async deleteWebhook(id: number): Promise<void> {
    await this.request({ method: 'DELETE', path: `/v1/Webhook/${id}` });
  }

  /** Sets State back to Active after TooManyErrors or Stopped: the receiver's job (superoffice-api.md 4.3). */
  activateWebhook(id: number): Promise<Webhook> {
    return patchJson(this.request, {
      path: `/v1/Webhook/${id}`,
      body: [{ op: 'replace', path: '/State', value: 'Active' }],
      schema: webhookSchema,
    });
  }

  /**
   * SuperOffice pings the webhook's TargetUrl with a `test` event, from its own network, with the
   * webhook's headers, and says whether the target answered 200 (superoffice-api.md 4.1). Changes
   * nothing: the watchdog asks before re-activating a parked webhook.
   */
  testWebhook(webhook: Webhook): Promise<WebhookTestResult> {
    return this.request({
      method: 'POST',
      path: '/v1/Webhook/Test',
      body: webhook,
      schema: webhookTestResultSchema,
    });
  }

  async getWebhookLastError(id: number): Promise<string> {
    const body = await this.request({ method: 'GET', path: `/v1/Webhook/${id}/LastError` });
    return typeof body === 'string' ? body : JSON.stringify(body);
  }

  private writeUdfs(
    owner: UdfOwner,
    id: number,
    values: Readonly<Record<string, string>>,
    options?: PatchUdfsOptions,
  ) {
    return writeUdfs(this.request, {
      mode: this.writeMode,
      owner,
      id,
      values,
      options,
      schema: entitySchemas[owner],
    });
  }
}
