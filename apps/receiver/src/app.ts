import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { TrustProxy } from '@so-connector/config';
import { adminRouter, type AdminDeps } from './admin/admin.router';
import { ADMIN_BASE } from './admin/links';
import { REJECTION_STATUS } from './http-errors';
import { callbackRouter } from './oauth/callback.route';
import { healthRouter, type HealthDeps } from './routes/health.route';
import { metricsRouter } from './routes/metrics.route';
import { mountWebhookRoutes, type WebhookRouteDeps } from './routes/webhook.route';

export interface AppDeps extends WebhookRouteDeps {
  readonly health: HealthDeps;
  /** TRUST_PROXY: whose X-Forwarded-Proto/-For decide `req.secure` and `req.ip` (none by default). */
  readonly trustProxy?: TrustProxy | undefined;
  /** The admin UI under /admin; undefined = no admin UI (every /admin path is 404). */
  readonly admin?: AdminDeps | undefined;
}

/** The receiver's Express app, without `listen` (supertest drives it directly). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Webhook answers are tiny and never cached; hashing each for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  mountWebhookRoutes(app, deps);
  app.use(healthRouter(deps.health));
  app.use(metricsRouter(deps.metrics.registry));
  // After the webhook routes, under its own path: nothing of it runs for a webhook delivery.
  if (deps.admin) app.use(ADMIN_BASE, adminRouter(deps.admin));
  if (deps.admin?.onboarding) app.use(callbackRouter(deps.admin.onboarding));
  app.use((req: Request, res: Response) => {
    res
      .status(REJECTION_STATUS.not_found)
      .json({ error: 'not_found', message: `no route for ${req.method} ${req.path}` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    deps.logger.error('unhandled error in request', {
      error: error instanceof Error ? error.message : String(error),
    });
    if (!res.headersSent)
      res.status(REJECTION_STATUS.internal).json({ error: 'internal', message: 'internal error' });
  });
  return app;
}
