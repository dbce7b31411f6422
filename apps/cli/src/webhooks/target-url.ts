/**
 * A webhook target SuperOffice can use. It posts only to HTTPS with a trusted certificate
 * (superoffice-api.md 4.2); plain HTTP is allowed for localhost and 127.0.0.1, where the
 * simulator and a local receiver run.
 */
export function checkTargetUrl(
  input: string,
): { ok: true; url: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: `--url ${input}: not a URL` };
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local)) {
    if (url.username || url.password)
      return { ok: false, message: '--url must not carry a user name or password' };
    return { ok: true, url: url.toString() };
  }
  return {
    ok: false,
    message: `--url ${input}: SuperOffice posts only to https:// URLs (http:// is accepted for localhost and 127.0.0.1 only)`,
  };
}
