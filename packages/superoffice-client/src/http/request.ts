import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import type { z } from 'zod';
import type { AuthProvider } from '../auth/auth-provider';
import type { TenantUrlResolver } from '../auth/tenant-url';
import { parseRetryAfter, SuperOfficeError } from './errors';

export interface RequestOptions<S extends z.ZodType | undefined> {
  readonly method: Method;
  /** Path below the API base, e.g. `/v1/Contact/42`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Parses the response body; a mismatch is a `permanent` SuperOfficeError naming the path. */
  readonly schema?: S;
}

/** What every call reports, for metrics and the cost benchmarks. */
export interface CallRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly durationMs: number;
}

export interface RequestCoreOptions {
  readonly http: AxiosInstance;
  readonly auth: AuthProvider;
  readonly tenant: TenantUrlResolver;
  readonly onCall?: (call: CallRecord) => void;
  /** Waits for a slot before each HTTP call (the client's rate limit). */
  readonly throttle?: () => Promise<void>;
}

export type RequestFn = <S extends z.ZodType | undefined = undefined>(
  options: RequestOptions<S>,
) => Promise<S extends z.ZodType ? z.output<S> : unknown>;

interface ErrorBody {
  ErrorType?: unknown;
  ErrorMessage?: unknown;
  Message?: unknown;
}

function errorFrom(response: AxiosResponse, method: string, url: string): SuperOfficeError {
  const body = (
    response.data !== null && typeof response.data === 'object' ? response.data : {}
  ) as ErrorBody;
  const header = (name: string) => {
    const value: unknown = response.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return new SuperOfficeError({
    status: response.status,
    method,
    url,
    errorType: typeof body.ErrorType === 'string' ? body.ErrorType : undefined,
    errorMessage:
      typeof body.ErrorMessage === 'string'
        ? body.ErrorMessage
        : typeof body.Message === 'string'
          ? body.Message
          : undefined,
    requestId: header('x-request-id') ?? header('request-id') ?? header('x-correlation-id'),
    retryAfterMs: parseRetryAfter(header('retry-after')),
  });
}

/**
 * The one request function: resolves the tenant's API base, authenticates, and repairs the two
 * failures that a second try can fix — 401 (refresh the token once) and 421 (wrong numbered host:
 * resolve the base again once). Everything else becomes a SuperOfficeError for the caller to
 * classify; retries with backoff belong to the job queue, not to a request.
 */
export function createRequest(core: RequestCoreOptions): RequestFn {
  return (async (options: RequestOptions<z.ZodType | undefined>) => {
    let refreshed = false;
    let reresolved = false;
    for (;;) {
      const base = await core.tenant.apiBaseUrl();
      const url = `${base}${options.path}`;
      const authHeaders = await core.auth.authorize();
      await core.throttle?.();
      const started = Date.now();
      let response: AxiosResponse;
      try {
        response = await core.http.request({
          method: options.method,
          url,
          ...(options.query ? { params: options.query } : {}),
          ...(options.body === undefined ? {} : { data: options.body }),
          headers: { Accept: 'application/json', ...authHeaders, ...options.headers },
          validateStatus: () => true,
          // Never follow a redirect: SO-AppToken (the client secret) would go along to another host.
          maxRedirects: 0,
        });
      } catch (cause) {
        core.onCall?.({
          method: options.method,
          path: options.path,
          status: undefined,
          durationMs: Date.now() - started,
        });
        throw new SuperOfficeError({ status: undefined, method: options.method, url, cause });
      }
      core.onCall?.({
        method: options.method,
        path: options.path,
        status: response.status,
        durationMs: Date.now() - started,
      });
      if (response.status === 401 && !refreshed) {
        refreshed = true;
        core.auth.invalidate(authHeaders);
        continue;
      }
      if (response.status === 421 && !reresolved) {
        reresolved = true;
        core.tenant.invalidate();
        continue;
      }
      if (response.status >= 400) throw errorFrom(response, options.method, url);
      if (!options.schema) return response.data as unknown;
      const parsed = options.schema.safeParse(response.data);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw new SuperOfficeError({
        status: response.status,
        method: options.method,
        url,
        errorType: 'SchemaMismatch',
        errorMessage: `response does not match the expected shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
        kind: 'permanent',
      });
    }
  }) as RequestFn;
}
