import {
  CONNECTOR_WEBHOOK_EVENTS,
  CONNECTOR_WEBHOOK_NAME,
  createSuperOfficeClient,
  generateWebhookSecret,
  SuperOfficeError,
  type IdTokenClaims,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import type { TenantConfig, TenantStore, TenantUdfMap } from '@so-connector/tenants';
import type { OnboardingSettings } from './onboarding-settings';
import { webhookTargetFor } from './public-base';
import { discoveredUdfMap, isComplete, readPublishedFields, type UdfField } from './udf-choice';

export interface OnboardDeps {
  readonly settings: OnboardingSettings;
  readonly store: TenantStore;
  /** SuperOffice test-pings the target while saving a webhook: tries, and the wait between. */
  readonly webhookAttempts?: number;
  readonly webhookRetryMs?: number;
}

export type WebhookOutcome =
  | { readonly ok: true; readonly id: number; readonly target: string; readonly reused: boolean }
  | { readonly ok: false; readonly target: string; readonly message: string };

export type UdfOutcome =
  | {
      readonly ok: true;
      readonly map: TenantUdfMap;
      readonly fields: readonly UdfField[];
      readonly complete: boolean;
    }
  | { readonly ok: false; readonly map: TenantUdfMap; readonly message: string };

export interface OnboardResult {
  readonly contextIdentifier: string;
  readonly companyName: string | undefined;
  readonly apiUrl: string;
  /** The tenant was stored before (a re-consent): its secrets and UDF map were kept. */
  readonly reconsent: boolean;
  readonly webhook: WebhookOutcome;
  readonly udf: UdfOutcome;
}

/** The tenant as onboarding stores it: the deployment's provider, no budget or owner scope yet. */
export function newTenant(
  settings: OnboardingSettings,
  claims: IdTokenClaims,
  refreshToken: string,
): TenantConfig {
  return {
    contextIdentifier: claims.contextIdentifier,
    webhookSecrets: [generateWebhookSecret()],
    webhookToken: undefined,
    credentials: { kind: 'refresh-token', refreshToken },
    environment: settings.environment,
    // With SO_TOKEN_URL (the simulator) there is no status API to ask: keep webapi_url. Otherwise
    // the worker resolves the numbered host from the status API, which follows moves (421).
    apiBaseUrl: settings.tokenUrlOverride ? claims.webApiUrl : undefined,
    tokenUrl: settings.tokenUrlOverride,
    udf: { vertical: undefined, summary: undefined, opener: undefined, personOpener: undefined },
    ownerScope: [],
    ownAssociateId: undefined,
    budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
    provider: settings.provider,
  };
}

/** A client for the tenant, on the API URL of its id_token (or stored tenant). */
export function tenantClient(
  deps: Pick<OnboardDeps, 'settings'>,
  tenant: TenantConfig,
  apiUrl: string | undefined,
): SuperOfficeClient {
  const { settings } = deps;
  return createSuperOfficeClient({
    environment: tenant.environment,
    contextIdentifier: tenant.contextIdentifier,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    credentials: tenant.credentials,
    apiBaseUrl: apiUrl ?? tenant.apiBaseUrl,
    tokenUrl: tenant.tokenUrl,
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Registers the tenant's webhook on its own route, signed with its current secret. On a
 * re-consent an active webhook that already posts there is kept (the stored secrets are kept too);
 * for a tenant new to the store such a webhook (left by a removed tenant, or registered by hand)
 * signs with a secret the store does not hold, so it is updated to the stored secret. SuperOffice saves a webhook only after
 * its test ping got 200; a receiver that has not read the new tenant yet may refuse that ping for
 * a moment, so a 400 is tried again after `webhookRetryMs`.
 */
async function ensureWebhook(
  deps: OnboardDeps,
  client: SuperOfficeClient,
  tenant: TenantConfig,
  reconsent: boolean,
): Promise<WebhookOutcome> {
  const target = webhookTargetFor(deps.settings.address.base, tenant.contextIdentifier);
  const attempts = deps.webhookAttempts ?? 3;
  try {
    const existing = (await client.listWebhooks()).find(
      (h) => h.TargetUrl === target && h.State === 'Active',
    );
    if (existing && reconsent) return { ok: true, id: existing.WebhookId, target, reused: true };
    if (existing) {
      const updated = await client.updateWebhook(existing.WebhookId, {
        Name: existing.Name ?? CONNECTOR_WEBHOOK_NAME,
        Events: existing.Events ?? CONNECTOR_WEBHOOK_EVENTS,
        TargetUrl: target,
        Secret: tenant.webhookSecrets[0]!,
      });
      return { ok: true, id: updated.WebhookId, target, reused: true };
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await client.createWebhook({
          Name: CONNECTOR_WEBHOOK_NAME,
          Events: CONNECTOR_WEBHOOK_EVENTS,
          TargetUrl: target,
          Secret: tenant.webhookSecrets[0]!,
        });
        return { ok: true, id: created.WebhookId, target, reused: false };
      } catch (error) {
        if (!(error instanceof SuperOfficeError) || error.status !== 400 || attempt >= attempts)
          throw error;
        await sleep(deps.webhookRetryMs ?? 1500);
      }
    }
  } catch (error) {
    if (!(error instanceof SuperOfficeError)) throw error;
    return {
      ok: false,
      target,
      message: `SuperOffice answered ${error.status ?? 'nothing'}: ${error.errorMessage ?? error.message}`,
    };
  }
}

/** Reads the published layout and, unless the tenant has a UDF map already, stores the discovered one. */
async function discoverUdfs(
  deps: OnboardDeps,
  client: SuperOfficeClient,
  tenant: TenantConfig,
): Promise<UdfOutcome> {
  let fields: UdfField[];
  try {
    fields = await readPublishedFields(client);
  } catch (error) {
    if (!(error instanceof SuperOfficeError)) throw error;
    return {
      ok: false,
      map: tenant.udf,
      message: `the published UDF layout could not be read (HTTP ${error.status ?? 'no answer'})`,
    };
  }
  const kept = Object.values(tenant.udf).some((key) => key !== undefined);
  const map = kept ? tenant.udf : discoveredUdfMap(fields);
  if (!kept) await deps.store.update(tenant.contextIdentifier, (t) => ({ ...t, udf: map }));
  return { ok: true, map, fields, complete: isComplete(map) };
}

/**
 * After a validated sign-in: stores the tenant (a new one with a fresh webhook secret; a known one
 * keeps its secrets and UDF map and gets the new refresh token), registers its webhook on
 * `{public base}/webhooks/superoffice/{ctx}`, and discovers its UDF map.
 */
export async function onboardTenant(
  deps: OnboardDeps,
  claims: IdTokenClaims,
  refreshToken: string,
): Promise<OnboardResult> {
  const fresh = newTenant(deps.settings, claims, refreshToken);
  const updated = await deps.store.update(claims.contextIdentifier, (stored) => ({
    ...stored,
    credentials: fresh.credentials,
    apiBaseUrl: fresh.apiBaseUrl,
    tokenUrl: fresh.tokenUrl,
  }));
  const tenant = updated ?? fresh;
  if (!updated) await deps.store.put(fresh);
  const client = tenantClient(deps, tenant, claims.webApiUrl);
  const webhook = await ensureWebhook(deps, client, tenant, updated !== undefined);
  const udf = await discoverUdfs(deps, client, tenant);
  return {
    contextIdentifier: tenant.contextIdentifier,
    companyName: claims.companyName,
    apiUrl: claims.webApiUrl,
    reconsent: updated !== undefined,
    webhook,
    udf,
  };
}
