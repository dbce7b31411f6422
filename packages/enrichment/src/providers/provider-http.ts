import { isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { ProviderError } from '../errors';

/** An HTTP failure of a provider as a ProviderError; no header, key or body is kept. */
export function toProviderError(provider: string, path: string, error: unknown): ProviderError {
  if (!isAxiosError(error))
    return new ProviderError(
      provider,
      'retryable',
      `${path} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  const status = error.response?.status;
  if (status === undefined) {
    const what =
      error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT'
        ? 'timed out'
        : `network error (${error.code ?? 'unknown'})`;
    return new ProviderError(provider, 'retryable', `${path} ${what}`);
  }
  const retryAfter = Number(error.response?.headers['retry-after']);
  const retryAfterMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
  const kind = status === 429 || status >= 500 ? 'retryable' : 'permanent';
  return new ProviderError(provider, kind, `${path} answered HTTP ${status}`, status, retryAfterMs);
}

export interface JsonPostOptions {
  readonly http: AxiosInstance;
  readonly provider: string;
  readonly baseUrl: string;
  readonly path: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
}

/** POSTs JSON with a Bearer key to `{baseUrl}{path}`; any failure becomes a ProviderError. */
export async function postJson(options: JsonPostOptions, body: unknown): Promise<unknown> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${options.path}`;
  let response: AxiosResponse<string>;
  try {
    response = await options.http.post<string>(url, body, {
      headers: { Authorization: `Bearer ${options.apiKey}`, 'Content-Type': 'application/json' },
      timeout: options.timeoutMs,
      // Parsed here: axios would hand back an unparsable body as a string without a word.
      responseType: 'text',
      transformResponse: (data: unknown) => data,
    });
  } catch (error) {
    throw toProviderError(options.provider, options.path, error);
  }
  try {
    return JSON.parse(response.data) as unknown;
  } catch {
    // A body cut off on the way (a proxy, a restart) is worth another attempt; a well-formed
    // answer that does not fit the result schema is not (the caller validates that).
    throw new ProviderError(
      options.provider,
      'retryable',
      `${options.path} answered HTTP ${response.status} with a body that is not JSON`,
      response.status,
    );
  }
}
