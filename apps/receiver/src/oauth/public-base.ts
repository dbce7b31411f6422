/** The route SuperOffice's redirect comes back to (DESIGN.md "Receiver HTTP"). */
export const CALLBACK_PATH = '/oauth/callback';
/** The per-tenant webhook route: `{public base}/webhooks/superoffice/{ctx}`. */
export const TENANT_WEBHOOK_PATH = '/webhooks/superoffice';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** https, or http on a loopback host (the simulator, a local demo); no credentials, query or fragment. */
function reachableUrl(variable: string, text: string): Checked<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `${variable} is not a URL` };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return {
      ok: false,
      problem: `${variable} must be an https:// URL (http:// only for localhost and 127.0.0.1)`,
    };
  if (url.username || url.password || url.search || url.hash)
    return { ok: false, problem: `${variable} must not carry credentials, a query or a fragment` };
  return { ok: true, value: url };
}

/** Where the receiver is reached from outside, and the callback path under it. */
export interface PublicAddress {
  /** e.g. `https://so.example.com` or `https://example.com/connector` (no trailing slash). */
  readonly base: string;
  /** The path of SO_REDIRECT_URI as the browser sees it, e.g. `/oauth/callback` (cookie path). */
  readonly callbackPath: string;
  /** Which variable the base came from, for the pages. */
  readonly from: 'WEBHOOK_PUBLIC_URL' | 'SO_REDIRECT_URI';
}

/**
 * The public base URL webhooks are registered under. `WEBHOOK_PUBLIC_URL`
 * (`{base}/webhooks/superoffice`), when set, wins: it is the address the operator declared
 * reachable by SuperOffice's servers, which may differ from the one an admin's browser uses.
 * Otherwise the base is SO_REDIRECT_URI without its `/oauth/callback`: SuperOffice has that URL
 * registered exactly for this app, and it is served by this same receiver (a reverse proxy's
 * path prefix is kept). SO_REDIRECT_URI must end in `/oauth/callback`.
 */
export function publicAddress(
  redirectUri: string,
  webhookPublicUrl: string | undefined,
): Checked<PublicAddress> {
  const redirect = reachableUrl('SO_REDIRECT_URI', redirectUri);
  if (!redirect.ok) return redirect;
  const path = redirect.value.pathname;
  if (!path.endsWith(CALLBACK_PATH))
    return {
      ok: false,
      problem: `SO_REDIRECT_URI must end in ${CALLBACK_PATH} (the receiver's callback route)`,
    };
  const prefix = path.slice(0, -CALLBACK_PATH.length);
  if (webhookPublicUrl !== undefined) {
    const hook = reachableUrl('WEBHOOK_PUBLIC_URL', webhookPublicUrl);
    if (!hook.ok) return hook;
    const hookPath = hook.value.pathname.replace(/\/+$/, '');
    if (!hookPath.endsWith(TENANT_WEBHOOK_PATH))
      return {
        ok: false,
        problem: `WEBHOOK_PUBLIC_URL must end in ${TENANT_WEBHOOK_PATH} to derive the per-tenant webhook URL`,
      };
    const base = `${hook.value.origin}${hookPath.slice(0, -TENANT_WEBHOOK_PATH.length)}`;
    return { ok: true, value: { base, callbackPath: path, from: 'WEBHOOK_PUBLIC_URL' } };
  }
  return {
    ok: true,
    value: {
      base: `${redirect.value.origin}${prefix}`,
      callbackPath: path,
      from: 'SO_REDIRECT_URI',
    },
  };
}

/** `{base}/webhooks/superoffice/{ctx}`: the tenant's own webhook route. */
export function webhookTargetFor(base: string, contextIdentifier: string): string {
  return `${base}${TENANT_WEBHOOK_PATH}/${encodeURIComponent(contextIdentifier)}`;
}
