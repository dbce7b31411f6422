import type { RequestHandler } from 'express';
import type { Logger } from '@so-connector/logger';
import { withTimeout } from '../with-timeout';
import type { TenantStore } from '@so-connector/tenants';
import type { OnboardDeps } from './onboard-tenant';
import type { OnboardingConfig } from './onboarding-settings';
import type { SignInDeps } from './sign-in';

/** Everything the connect page, the callback and the UDF form share. */
export interface OnboardingDeps {
  readonly config: OnboardingConfig;
  /** Undefined when the config is not ok. */
  readonly signIn: SignInDeps | undefined;
  /** Undefined without TENANT_SECRETS_KEY: onboarding then refuses to start. */
  readonly store: TenantStore | undefined;
  /**
   * Where the operator defines a tenant (`environment`: SO_CONTEXT_IDENTIFIER, `file`: TENANTS_FILE),
   * undefined for a stored or unknown one. Onboarding never stores a tenant the operator defines:
   * the operator's definition would shadow the stored one (and its secrets) in every process.
   */
  readonly definedByOperator: (contextIdentifier: string) => 'environment' | 'file' | undefined;
  readonly logger: Logger;
  /**
   * Resolves when onboarding's Redis connection is ready. It fails fast while disconnected (no
   * offline queue), so each request waits for it first, bounded by REDIS_WAIT_MS.
   */
  readonly redisReady: () => Promise<void>;
  readonly webhookAttempts?: number;
  readonly webhookRetryMs?: number;
}

/** A request waits this long for onboarding's Redis connection before it answers 503. */
const REDIS_WAIT_MS = 5000;

/** The browser-binding cookie of a sign-in in progress (path: the callback's). */
export const BINDING_COOKIE = 'so_oauth';

export const NO_SECRETS_KEY =
  'TENANT_SECRETS_KEY is not set. An onboarded tenant’s refresh token and webhook secret are stored encrypted with it, so this connector refuses to onboard without it. Set it (openssl rand -base64 32) for the receiver and the worker, restart them, and connect again.';

/**
 * Wraps an onboarding handler: an unexpected failure (Redis or SuperOffice unreachable, a stored
 * tenant that does not decrypt) is logged by its message and answered with a page, not a stack.
 */
export function withFailurePage(
  deps: Pick<OnboardingDeps, 'logger' | 'redisReady'>,
  render: (message: string) => string,
  handler: RequestHandler,
): RequestHandler {
  return async (req, res, next) => {
    try {
      await withTimeout(
        deps.redisReady(),
        REDIS_WAIT_MS,
        () => new Error('Redis is not reachable'),
      );
      await handler(req, res, next);
    } catch (error) {
      deps.logger.error('onboarding failed', {
        path: req.path,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent)
        res
          .status(503)
          .type('html')
          .send(
            render(
              'The connector could not finish: Redis or SuperOffice did not answer in time, or a stored tenant could not be read (the receiver log names it). Connect again to finish; a tenant already stored keeps its webhook secret.',
            ),
          );
    }
  };
}

/** The services the callback and the UDF form need, when onboarding can run. */
export function readyOnboarding(
  deps: OnboardingDeps,
): (OnboardDeps & { readonly signIn: SignInDeps }) | undefined {
  if (!deps.config.ok || !deps.signIn || !deps.store) return undefined;
  return {
    settings: deps.config.value,
    store: deps.store,
    signIn: deps.signIn,
    ...(deps.webhookAttempts === undefined ? {} : { webhookAttempts: deps.webhookAttempts }),
    ...(deps.webhookRetryMs === undefined ? {} : { webhookRetryMs: deps.webhookRetryMs }),
  };
}
