import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '@so-connector/logger';
import type { AdminDirectory, AdminPrincipal } from './admin-users';
import { parseBasicAuth, readCookie, type SessionSigner } from './auth';
import { ADMIN_BASE } from './links';
import { renderMessage } from './pages/message.page';

export const SESSION_COOKIE = 'so_admin';

export interface AdminAuth {
  /** The operator and the tenant admins. */
  readonly users: AdminDirectory;
  readonly sessions: SessionSigner;
  /** Added to every answer to wrong credentials, to slow down guessing. */
  readonly failureDelayMs: number;
  readonly logger: Logger;
}

export type Authentication =
  | { readonly kind: 'session' | 'basic'; readonly principal: AdminPrincipal }
  | { readonly kind: 'wrong-basic' | 'none' };

/** How the request proves who it is: a valid session cookie, or HTTP Basic (scripts). */
export async function authenticate(req: Request, auth: AdminAuth): Promise<Authentication> {
  const sessionUser = auth.sessions.verify(readCookie(req.get('cookie'), SESSION_COOKIE));
  const fromSession = sessionUser === undefined ? undefined : auth.users.find(sessionUser);
  if (fromSession) return { kind: 'session', principal: fromSession };
  const header = req.get('authorization');
  if (header === undefined) return { kind: 'none' };
  const given = parseBasicAuth(header);
  const principal = given && (await auth.users.check(given));
  return principal ? { kind: 'basic', principal } : { kind: 'wrong-basic' };
}

/** Who the request is from; set by requireAdmin for everything behind it. */
export function principalOf(res: Response): AdminPrincipal {
  return res.locals.principal as AdminPrincipal;
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
 * Lets signed-in requests through (with `res.locals.principal`). Otherwise a browser navigating to
 * a page is sent to the login form (and back afterwards); anything else gets 401 with a Basic
 * challenge.
 */
export function requireAdmin(auth: AdminAuth): RequestHandler {
  return async (req, res, next) => {
    const result = await authenticate(req, auth);
    if (result.kind === 'session' || result.kind === 'basic') {
      res.locals.principal = result.principal;
      return next();
    }
    if (result.kind === 'wrong-basic') {
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

/**
 * Deployment-wide parts (Bull Board: the queues are shared by every tenant; connecting tenants):
 * the operator only. A tenant admin gets 403, which says nothing about any tenant.
 */
export const operatorOnly: RequestHandler = (_req, res, next) => {
  if (principalOf(res).kind === 'operator') return next();
  res
    .status(403)
    .type('html')
    .send(
      renderMessage({
        title: 'Operator only',
        message:
          'This part of the admin UI shows or changes every tenant of the deployment: only the operator (ADMIN_USER) can open it.',
        restricted: true,
      }),
    );
};
