import express, { type Router } from 'express';
import type { AuthorizationServer } from '../authorization-code';
import type { CallCounters } from '../counters';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

/**
 * SuperOffice's login pages, as far as the authorization-code flow needs them: `GET
 * /login/common/oauth/authorize` shows a consent page (Allow / Deny) for the simulated tenant, and
 * its form posts the decision, which redirects back to the app with `code` and `state` (or
 * `error=access_denied`). A wrong client id or redirect URI is shown, never redirected to.
 */
export function authorizeRoutes(deps: {
  oauth: AuthorizationServer;
  counters: CallCounters;
}): Router {
  const router = express.Router();
  router.get('/login/common/oauth/authorize', (req, res) => {
    deps.counters.hit('GET authorize');
    const check = deps.oauth.authorize(req.query);
    if (!check.ok && 'redirect' in check) return res.redirect(302, check.redirect);
    if (!check.ok)
      return res
        .status(check.status)
        .type('html')
        .send(page('Sign-in error', `<p id="error">${escape(check.message)}</p>`));
    const ctx = escape(deps.oauth.contextIdentifier);
    return res.type('html').send(
      page(
        'Approve so-connector',
        `<p>The application <b>so-connector</b> asks for access to tenant <b id="tenant">${ctx}</b>.</p>
<form method="post" action="/login/common/oauth/authorize/decision">
<input type="hidden" name="consent" value="${check.consentId}">
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`,
      ),
    );
  });
  router.post(
    '/login/common/oauth/authorize/decision',
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req, res) => {
      const body = (req.body ?? {}) as { consent?: unknown; decision?: unknown };
      const consent = typeof body.consent === 'string' ? body.consent : '';
      const target = deps.oauth.decide(consent, body.decision === 'allow');
      if (target === undefined)
        return res
          .status(400)
          .type('html')
          .send(page('Sign-in error', '<p id="error">unknown or already answered request</p>'));
      return res.redirect(303, target);
    },
  );
  return router;
}
