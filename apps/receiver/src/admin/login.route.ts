import express, { Router, type Request, type Response } from 'express';
import { ADMIN_BASE } from './links';
import { renderLogin } from './pages/login.page';
import { delay, SESSION_COOKIE, type AdminAuth } from './require-admin';

/** Only a path inside the admin UI (no other host, no scheme, not the login page itself). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string') return ADMIN_BASE;
  const inside = /^\/admin(?:[/?#]|$)/.test(next) && !next.includes('\\') && !next.includes('//');
  if (!inside || /^\/admin\/log(?:in|out)\b/.test(next)) return ADMIN_BASE;
  return next;
}

/**
 * The cookie's Secure flag: set when the browser talks HTTPS, directly or to a TLS proxy that
 * TRUST_PROXY vouches for (Express then reads its X-Forwarded-Proto into `req.secure`). Not on
 * plain HTTP (the demo, localhost), where browsers drop a Secure cookie; an X-Forwarded-Proto
 * from a peer TRUST_PROXY does not name is not believed.
 */
const overHttps = (req: Request): boolean => req.secure;

function sendLogin(res: Response, status: number, next: string, error?: string): void {
  res.status(status).type('html').send(renderLogin({ next, error }));
}

/** GET/POST /admin/login and /admin/logout (no auth needed to reach them). */
export function loginRouter(auth: AdminAuth): Router {
  const router = Router();
  router.get('/login', (req, res) => {
    sendLogin(res, 200, safeNext(req.query.next));
  });
  router.post(
    '/login',
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const next = safeNext(body.next);
      const user = typeof body.user === 'string' ? body.user : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const principal = await auth.users.check({ user, password });
      if (!principal) {
        auth.logger.warn('admin login failed', { ip: req.ip });
        await delay(auth.failureDelayMs);
        return sendLogin(res, 401, next, 'Wrong user name or password.');
      }
      if (!req.secure && /^\s*https\b/i.test(req.get('x-forwarded-proto') ?? ''))
        auth.logger.warn(
          'admin session cookie not Secure: X-Forwarded-Proto says https, but TRUST_PROXY does not vouch for the peer; set TRUST_PROXY (docs/dashboard.md)',
          { ip: req.ip },
        );
      const session = auth.sessions.issue(principal.user);
      res.cookie(SESSION_COOKIE, session.value, {
        httpOnly: true,
        sameSite: 'strict',
        path: ADMIN_BASE,
        expires: session.expiresAt,
        secure: overHttps(req),
      });
      auth.logger.info('admin signed in', {
        ip: req.ip,
        user: principal.user,
        scope: principal.kind === 'operator' ? 'all tenants' : principal.tenants.join(','),
      });
      res.redirect(303, next);
    },
  );
  const logout = (req: Request, res: Response) => {
    res.clearCookie(SESSION_COOKIE, {
      path: ADMIN_BASE,
      httpOnly: true,
      sameSite: 'strict',
      secure: overHttps(req),
    });
    res.redirect(303, `${ADMIN_BASE}/login`);
  };
  router.get('/logout', logout);
  router.post('/logout', logout);
  return router;
}
