import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@so-connector/logger';
import {
  credentialsMatch,
  parseBasicAuth,
  readCookie,
  type AdminCredentials,
  type SessionSigner,
} from './auth';
import { ADMIN_BASE } from './links';

export const SESSION_COOKIE = 'so_admin';

export interface AdminAuth {
  readonly credentials: AdminCredentials;
  readonly sessions: SessionSigner;
  /** Added to every answer to wrong credentials, to slow down guessing. */
  readonly failureDelayMs: number;
  readonly logger: Logger;
}

export type Authentication = 'session' | 'basic' | 'wrong-basic' | 'none';

/** How the request proves it is the admin: a valid session cookie, or HTTP Basic (scripts). */
export function authenticate(req: Request, auth: AdminAuth): Authentication {
  if (auth.sessions.verify(readCookie(req.get('cookie'), SESSION_COOKIE))) return 'session';
  const header = req.get('authorization');
  if (header === undefined) return 'none';
  const given = parseBasicAuth(header);
  return given && credentialsMatch(given, auth.credentials) ? 'basic' : 'wrong-basic';
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A page a person navigated to (as opposed to a script or Bull Board's own API calls). */
function isNavigation(req: Request): boolean {
  return req.method === 'GET' && (req.get('accept') ?? '').includes('text/html');
}

function unauthorized(req: Request, res: Response): void {
  // A WWW-Authenticate on an answer to the UI's fetch() would pop up the browser's own dialog.
  const mode = req.get('sec-fetch-mode');
  if (mode === undefined || mode === 'navigate')
    res.set('WWW-Authenticate', 'Basic realm="so-connector admin", charset="UTF-8"');
  res.status(401).type('text/plain').send('admin login required');
}

/**
 * Lets signed-in requests through. Otherwise a browser navigating to a page is sent to the login
 * form (and back afterwards); anything else gets 401 with a Basic challenge.
 */
export function requireAdmin(auth: AdminAuth): RequestHandler {
  return async (req, res, next) => {
    const result = authenticate(req, auth);
    if (result === 'session' || result === 'basic') return next();
    if (result === 'wrong-basic') {
      auth.logger.warn('admin request with wrong credentials refused', {
        path: req.path,
        ip: req.ip,
      });
      await delay(auth.failureDelayMs);
      return unauthorized(req, res);
    }
    if (isNavigation(req)) {
      return res.redirect(303, `${ADMIN_BASE}/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    return unauthorized(req, res);
  };
}
