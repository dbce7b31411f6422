import express, { Router, type Response } from 'express';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import {
  BINDING_COOKIE,
  NO_SECRETS_KEY,
  readyOnboarding,
  withFailurePage,
  type OnboardingDeps,
} from '../oauth/onboarding-deps';
import { failed } from '../oauth/callback.route';
import { tenantClient } from '../oauth/onboard-tenant';
import { STATE_TTL_MS } from '../oauth/state-store';
import { startSignIn, TENANT_HINT } from '../oauth/sign-in';
import { pickedUdfMap, readPublishedFields, type UdfMapInput } from '../oauth/udf-choice';
import { webhookTargetFor } from '../oauth/public-base';
import {
  CONNECT_HREF,
  renderConnect,
  renderOnboardingProblem,
  renderUdfSaved,
} from './pages/onboarding.page';
import { PAGE_CSP } from './pages/layout';
import { ADMIN_BASE } from './links';

/** Under the admin router's mount point (`/admin`). */
const CONNECT_PATH = CONNECT_HREF.slice(ADMIN_BASE.length);

function problemsOf(deps: OnboardingDeps): string[] {
  const problems = deps.config.ok ? [] : [...deps.config.problems];
  if (deps.config.ok && !deps.store) problems.push(NO_SECRETS_KEY);
  return problems;
}

function problem(res: Response, status: number, title: string, message: string): void {
  res
    .status(status)
    .type('html')
    .send(renderOnboardingProblem({ title, message, signedIn: true }));
}

/**
 * `/admin/tenants/connect` (GET: what will happen; POST: off to SuperOffice's authorize page with
 * state, nonce and PKCE) and `/admin/tenants/{ctx}/udf` (the UDF pick form). Behind the admin auth
 * and its cross-site write refusal, like every admin route.
 */
export function onboardingRouter(deps: OnboardingDeps): Router {
  const router = Router();
  router.get(CONNECT_PATH, (_req, res) => {
    const problems = problemsOf(deps);
    const settings = deps.config.ok ? deps.config.value : undefined;
    // The form's POST answers with a redirect to SuperOffice, which form-action must allow.
    if (settings)
      res.set(
        'Content-Security-Policy',
        PAGE_CSP.replace(
          "form-action 'self'",
          `form-action 'self' ${new URL(settings.endpoints.authorizeUrl).origin}`,
        ),
      );
    res
      .status(problems.length > 0 ? 503 : 200)
      .type('html')
      .send(
        renderConnect({
          problems,
          redirectUri: settings?.redirectUri,
          webhookPattern:
            settings && webhookTargetFor(settings.address.base, '{ContextIdentifier}'),
          environment: settings?.endpoints.issuer,
        }),
      );
  });
  router.post(
    CONNECT_PATH,
    express.urlencoded({ extended: false, limit: '4kb' }),
    withFailurePage(deps, failed(true), async (req, res) => {
      const ready = readyOnboarding(deps);
      if (!ready)
        return problem(res, 503, 'Onboarding is not available', problemsOf(deps).join(' '));
      const raw = (req.body as { tenant?: unknown } | undefined)?.tenant;
      const hint = typeof raw === 'string' ? raw.trim() : '';
      if (hint !== '' && !TENANT_HINT.test(hint))
        return problem(res, 400, 'Not a tenant id', 'A tenant id looks like Cust12345.');
      const { authorizeUrl, browserBinding } = await startSignIn(ready.signIn, hint || undefined);
      res.cookie(BINDING_COOKIE, browserBinding, {
        httpOnly: true,
        // Lax: the cookie must come back on SuperOffice's top-level redirect to the callback.
        sameSite: 'lax',
        secure: req.secure,
        path: ready.settings.address.callbackPath,
        maxAge: STATE_TTL_MS,
      });
      deps.logger.info('onboarding: admin sent to SuperOffice to approve the app', { ip: req.ip });
      return res.redirect(303, authorizeUrl);
    }),
  );
  router.post(
    `/tenants/:ctx/udf`,
    express.urlencoded({ extended: false, limit: '8kb' }),
    withFailurePage(deps, failed(true), async (req, res) => {
      const ready = readyOnboarding(deps);
      if (!ready)
        return problem(res, 503, 'Onboarding is not available', problemsOf(deps).join(' '));
      const ctx = String(req.params.ctx);
      const tenant = await ready.store.get(ctx);
      if (!tenant)
        return problem(
          res,
          404,
          'No such onboarded tenant',
          `${ctx} is not an onboarded tenant of this connector.`,
        );
      let fields;
      try {
        fields = await readPublishedFields(tenantClient(ready, tenant, undefined));
      } catch (error) {
        if (!(error instanceof SuperOfficeError)) throw error;
        return problem(
          res,
          502,
          'SuperOffice did not answer',
          `The published UDF layout of ${ctx} could not be read (HTTP ${error.status ?? 'no answer'}); nothing was changed.`,
        );
      }
      const picked = pickedUdfMap(req.body as UdfMapInput, fields);
      if (!picked.ok)
        return problem(
          res,
          400,
          'Those fields do not fit',
          `${picked.problems.join('; ')}. Nothing was changed.`,
        );
      await ready.store.update(ctx, (t) => ({ ...t, udf: picked.map }));
      deps.logger.info('onboarding: UDF map saved', { tenant: ctx });
      return res.type('html').send(renderUdfSaved(ctx, picked.map, fields));
    }),
  );
  return router;
}
