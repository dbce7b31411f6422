/** Query parameters whose values never leave the client in an error or log. */
const SECRET_PARAMS = /^(access_token|refresh_token|client_secret|token|code|password|secret)$/i;

/** A URL with secret query values replaced, safe for errors and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, 'REDACTED');
    }
    if (parsed.password) parsed.password = 'REDACTED';
    return parsed.toString();
  } catch {
    return url.replace(
      /([?&](?:access_token|refresh_token|client_secret|token|code)=)[^&]*/gi,
      '$1REDACTED',
    );
  }
}
