import { Router, type Response } from 'express';
import { adminSecurityHeaders } from '../admin/security-headers';
import { readCookie } from '../admin/auth';
import { renderOnboarded, renderOnboardingProblem } from '../admin/pages/onboarding.page';
import { onboardTenant } from './onboard-tenant';
import {
  BINDING_COOKIE,
  NO_SECRETS_KEY,
  readyOnboarding,
  withFailurePage,
  type OnboardingDeps,
} from './onboarding-deps';
import { CALLBACK_PATH } from './public-base';
import { finishSignIn, type SignInFailure } from './sign-in';

/** Each way a callback can fail: its status, title and what the admin can do. Nothing is stored. */
const FAILURES: Readonly<
  Record<SignInFailure, { status: number; title: string; message: string }>
> = {
  denied: {
    status: 403,
    title: 'Consent was not given',
    message:
      'SuperOffice says the app was not approved. Nothing was stored. An administrator of the tenant must approve it.',
  },
  refused: {
    status: 502,
    title: 'SuperOffice refused the sign-in',
    message: 'SuperOffice answered with an error. Nothing was stored.',
  },
  'bad-request': {
    status: 400,
    title: 'Not a sign-in answer',
    message:
      'This address is where SuperOffice sends the browser back after an approval; this request is not such an answer. Nothing was stored.',
  },
  'unknown-state': {
    status: 400,
    title: 'Unknown or already used sign-in',
    message:
      'This sign-in is not one this connector started, or it was completed already (each may be used once). Nothing was stored. Start again.',
  },
  'expired-state': {
    status: 400,
    title: 'The sign-in expired',
    message: 'More than 10 minutes passed since it was started. Nothing was stored. Start again.',
  },
  'other-browser': {
    status: 400,
    title: 'Started in another browser',
    message:
      'This sign-in was started in another browser (or its cookie was lost). Nothing was stored. Start again in this browser.',
  },
  'exchange-failed': {
    status: 502,
    title: 'The code exchange failed',
    message: 'SuperOffice did not exchange the approval for tokens. Nothing was stored.',
  },
  'invalid-id-token': {
    status: 502,
    title: 'The id_token is not valid',
    message:
      'The identity token SuperOffice returned did not pass validation, so the tenant it names cannot be trusted. Nothing was stored.',
  },
};

/** The page of an unexpected failure. */
export const failed = (signedIn: boolean) => (message: string) =>
  renderOnboardingProblem({ title: 'Onboarding failed', message, signedIn });

function page(res: Response, status: number, title: string, message: string): void {
  res
    .status(status)
    .type('html')
    .send(renderOnboardingProblem({ title, message, signedIn: false }));
}

/**
 * `GET /oauth/callback` (DESIGN.md "Receiver HTTP"): the end of the consent flow. It is not under
 * /admin (SuperOffice redirects here, and the admin cookie is SameSite=Strict, path /admin): the
 * single-use state, bound to the admin's browser by a cookie, is what proves the admin started it.
 */
export function callbackRouter(deps: OnboardingDeps): Router {
  const router = Router();
  router.get(
    CALLBACK_PATH,
    adminSecurityHeaders(),
    withFailurePage(deps, failed(false), async (req, res) => {
      const ready = readyOnboarding(deps);
      if (!deps.config.ok)
        return page(res, 503, 'Onboarding is not available', deps.config.problems.join(' '));
      if (!ready) return page(res, 503, 'Onboarding is refused', NO_SECRETS_KEY);
      res.clearCookie(BINDING_COOKIE, { path: ready.settings.address.callbackPath });
      const signIn = await finishSignIn(
        ready.signIn,
        req.query,
        readCookie(req.get('cookie'), BINDING_COOKIE),
      );
      if (!signIn.ok) {
        const failure = FAILURES[signIn.failure];
        deps.logger.warn('onboarding: callback refused', {
          reason: signIn.failure,
          detail: signIn.detail,
        });
        const detail = signIn.detail ? ` (${signIn.detail.slice(0, 300)})` : '';
        return page(res, failure.status, failure.title, `${failure.message}${detail}`);
      }
      const ctx = signIn.claims.contextIdentifier;
      const operator = deps.definedByOperator(ctx);
      if (operator !== undefined)
        return page(
          res,
          409,
          'Configured by the operator',
          operator === 'environment'
            ? `${ctx} is this connector's environment tenant (SO_CONTEXT_IDENTIFIER); its settings come from the environment, which onboarding never replaces. Nothing was stored.`
            : `${ctx} is defined in TENANTS_FILE; its settings come from that file, which onboarding never replaces (edit the file instead). Nothing was stored.`,
        );
      const result = await onboardTenant(ready, signIn.claims, signIn.refreshToken);
      deps.logger.info('onboarding: tenant stored', {
        tenant: ctx,
        reconsent: result.reconsent,
        webhook: result.webhook.ok ? 'registered' : 'failed',
        udfComplete: result.udf.ok && result.udf.complete,
      });
      return res.type('html').send(renderOnboarded(result));
    }),
  );
  return router;
}
