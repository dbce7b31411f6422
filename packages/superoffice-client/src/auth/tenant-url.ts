import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { SuperOfficeError } from '../http/errors';
import type { SuperOfficeEnvironment } from './refresh-token-auth';

/** Where the tenant's REST API lives: the status endpoint's `Api`, e.g. `https://online2.superoffice.com/Cust1/api`. */
export interface TenantUrlResolver {
  apiBaseUrl(): Promise<string>;
  /** The host answered 421 Misdirected Request: resolve again before the next call. */
  invalidate(): void;
}

/** A fixed API base (`SO_API_BASE_URL`); 421 cannot be repaired by resolving again. */
export function fixedTenantUrl(apiBaseUrl: string): TenantUrlResolver {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return { apiBaseUrl: () => Promise.resolve(base), invalidate: () => undefined };
}

export function tenantStatusUrlFor(
  environment: SuperOfficeEnvironment,
  contextIdentifier: string,
): string {
  return `https://${environment}.superoffice.com/api/state/${encodeURIComponent(contextIdentifier)}`;
}

const statusSchema = z.looseObject({
  ContextIdentifier: z.string().optional(),
  State: z.string().optional(),
  IsRunning: z.boolean().optional(),
  ValidUntil: z.string().optional(),
  Api: z.string().url(),
});

export interface StatusTenantUrlOptions {
  /** Default: a new axios instance with a 30 s timeout. */
  readonly http?: AxiosInstance;
  /** `https://{env}.superoffice.com/api/state/{ContextIdentifier}` (superoffice-api.md 5.4). */
  readonly statusUrl: string;
  readonly now?: () => number;
  /** How long to trust an answer whose ValidUntil is missing or already past (default 5 min). */
  readonly fallbackTtlMs?: number;
}

/**
 * Resolves the API base from the tenant status endpoint and caches it until `ValidUntil`; the
 * numbered host changes (load balancing, incidents), so `invalidate()` after a 421 re-resolves.
 * A tenant that is not running (maintenance, suspended) is a retryable error.
 */
export function statusTenantUrl(options: StatusTenantUrlOptions): TenantUrlResolver {
  const now = options.now ?? Date.now;
  const http = options.http ?? axios.create({ timeout: 30_000 });
  let cached: { base: string; validUntil: number } | undefined;
  let resolving: Promise<string> | undefined;

  const resolve = async (): Promise<string> => {
    let response;
    try {
      response = await http.get<unknown>(options.statusUrl, { validateStatus: () => true });
    } catch (cause) {
      throw new SuperOfficeError({
        status: undefined,
        method: 'GET',
        url: options.statusUrl,
        cause,
      });
    }
    const parsed = statusSchema.safeParse(response.data);
    if (response.status !== 200 || !parsed.success) {
      throw new SuperOfficeError({
        status: response.status,
        method: 'GET',
        url: options.statusUrl,
        errorMessage: 'tenant status did not give an Api address',
        kind: response.status === 404 ? 'permanent' : 'retryable',
      });
    }
    if (parsed.data.IsRunning === false) {
      throw new SuperOfficeError({
        status: 503,
        method: 'GET',
        url: options.statusUrl,
        errorMessage: `tenant is ${parsed.data.State ?? 'not running'}`,
        kind: 'retryable',
      });
    }
    const validUntil = Date.parse(parsed.data.ValidUntil ?? '');
    const ttlEnd = now() + (options.fallbackTtlMs ?? 5 * 60_000);
    cached = {
      base: parsed.data.Api.replace(/\/+$/, ''),
      validUntil: Number.isNaN(validUntil) || validUntil <= now() ? ttlEnd : validUntil,
    };
    return cached.base;
  };

  return {
    apiBaseUrl() {
      if (cached && cached.validUntil > now()) return Promise.resolve(cached.base);
      resolving ??= resolve().finally(() => {
        resolving = undefined;
      });
      return resolving;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
