import axios, { type AxiosInstance } from 'axios';
import { kindForStatus, SuperOfficeError } from '../http/errors';
import { keysOfJwks, type SigningKey } from './jwt';

/** `https://{env}.superoffice.com/login/.well-known/jwks` (superoffice-api.md 5.1). */
export function jwksUrlFor(environment: string): string {
  return `https://${environment}.superoffice.com/login/.well-known/jwks`;
}

/**
 * The signing keys of a JWKS endpoint, fetched on first use and cached. A token whose `kid` is not
 * cached fetches the document again (SuperOffice rotated its key), at most once a minute.
 */
export function jwksKeys(options: {
  /** Default: a new axios instance with a 30 s timeout. */
  readonly http?: AxiosInstance;
  readonly url: string;
  readonly now: () => number;
}): (kid: string | undefined) => Promise<readonly SigningKey[]> {
  let cached: { keys: SigningKey[]; at: number } | undefined;
  let fetching: Promise<SigningKey[]> | undefined;
  const http = options.http ?? axios.create({ timeout: 30_000 });

  const fetchKeys = async (): Promise<SigningKey[]> => {
    let response;
    try {
      response = await http.get<unknown>(options.url, {
        headers: { Accept: 'application/json' },
        validateStatus: () => true,
        maxRedirects: 0,
      });
    } catch (cause) {
      throw new SuperOfficeError({ status: undefined, method: 'GET', url: options.url, cause });
    }
    const keys = response.status === 200 ? keysOfJwks(response.data) : [];
    if (keys.length === 0)
      throw new SuperOfficeError({
        status: response.status,
        method: 'GET',
        url: options.url,
        errorMessage: 'the JWKS has no RSA signing key',
        kind: response.status === 200 ? 'permanent' : kindForStatus(response.status),
      });
    cached = { keys, at: options.now() };
    return keys;
  };
  const refresh = () => {
    fetching ??= fetchKeys().finally(() => {
      fetching = undefined;
    });
    return fetching;
  };

  return async (kid) => {
    if (!cached) return refresh();
    const known = kid === undefined || cached.keys.some((k) => k.kid === kid);
    if (known || options.now() - cached.at < 60_000) return cached.keys;
    return refresh();
  };
}
