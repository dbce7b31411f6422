import type { RequestHandler } from 'express';
import { PAGE_CSP } from './pages/layout';

/**
 * Bull Board's UI is a React bundle from its own package: same-origin scripts and styles, inline
 * style attributes, its JSON config in a non-executed script tag. Google Fonts, which its page
 * asks for, are left out on purpose (no third-party request from the admin UI; system fonts are used).
 */
export const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * Headers on every admin answer: nothing cached (pages hold customer data), no framing
 * (clickjacking of Bull Board's retry buttons), no MIME sniffing, no referrer to other sites.
 */
export function adminSecurityHeaders(csp: string = PAGE_CSP): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Content-Security-Policy': csp,
    });
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests a browser marks as coming from another site. The session cookie
 * is SameSite=Strict already; this also covers credentials a browser remembers for HTTP Basic.
 * Scripts (curl) send no `Sec-Fetch-Site` and are not affected.
 */
export const refuseCrossSiteWrites: RequestHandler = (req, res, next) => {
  const site = req.get('sec-fetch-site');
  if (
    SAFE_METHODS.has(req.method) ||
    site === undefined ||
    site === 'same-origin' ||
    site === 'none'
  )
    return next();
  res.status(403).type('text/plain').send('cross-site request refused');
};
