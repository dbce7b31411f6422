import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { SuperOfficeError } from '../http/errors';

/** The authorize request of superoffice-api.md 5.6, with PKCE (S256) and a nonce. */
export interface AuthorizeRequest {
  readonly authorizeUrl: string;
  readonly clientId: string;
  /** Must equal the app's registered redirect URI exactly. */
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
  readonly nonce?: string | undefined;
  /** `acr_values=tenant:{ctx}` skips SuperOffice's tenant picker. */
  readonly tenantHint?: string | undefined;
}

/** The URL to send the admin's browser to. */
export function authorizeRedirectUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  const params: Record<string, string> = {
    client_id: request.clientId,
    scope: 'openid',
    response_type: 'code',
    redirect_uri: request.redirectUri,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
  };
  if (request.nonce !== undefined) params.nonce = request.nonce;
  if (request.tenantHint !== undefined) params.acr_values = `tenant:${request.tenantHint}`;
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

const codeResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  id_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).optional(),
});

export interface CodeExchange {
  readonly http?: AxiosInstance;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly code: string;
  readonly redirectUri: string;
  readonly codeVerifier: string;
}

export interface CodeTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly idToken: string;
}

/**
 * Exchanges an authorization code (superoffice-api.md 5.6) with the PKCE verifier. A refusal is a
 * SuperOfficeError of kind `auth` whose message carries the OAuth error code and description
 * (`invalid_grant: …`), never the code, the verifier or a token.
 */
export async function exchangeAuthorizationCode(options: CodeExchange): Promise<CodeTokens> {
  const http = options.http ?? axios.create({ timeout: 30_000 });
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: options.clientId,
    client_secret: options.clientSecret,
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.codeVerifier,
  });
  const url = options.tokenUrl;
  let response;
  try {
    response = await http.post<unknown>(url, form.toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      validateStatus: () => true,
      maxRedirects: 0,
    });
  } catch (cause) {
    throw new SuperOfficeError({ status: undefined, method: 'POST', url, cause });
  }
  if (response.status !== 200) {
    const body = (response.data ?? {}) as { error?: unknown; error_description?: unknown };
    const detail = [body.error, body.error_description]
      .filter((v) => typeof v === 'string')
      .join(': ');
    throw new SuperOfficeError({
      status: response.status,
      method: 'POST',
      url,
      errorType: typeof body.error === 'string' ? body.error : undefined,
      errorMessage: `code exchange refused${detail ? `: ${detail}` : ''}`,
      kind: response.status >= 500 || response.status === 429 ? 'retryable' : 'auth',
    });
  }
  const parsed = codeResponseSchema.safeParse(response.data);
  if (!parsed.success)
    throw new SuperOfficeError({
      status: 200,
      method: 'POST',
      url,
      errorMessage: 'the code exchange answered without access_token, refresh_token or id_token',
      kind: 'auth',
    });
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    idToken: parsed.data.id_token,
  };
}
