import type { Logger } from '@so-connector/logger';
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
  /** The environment's tenant (SO_CONTEXT_IDENTIFIER): the operator's, never replaced by onboarding. */
  readonly environmentTenant: string | undefined;
  readonly logger: Logger;
  readonly webhookAttempts?: number;
  readonly webhookRetryMs?: number;
}

/** The browser-binding cookie of a sign-in in progress (path: the callback's). */
export const BINDING_COOKIE = 'so_oauth';

export const NO_SECRETS_KEY =
  'TENANT_SECRETS_KEY is not set. An onboarded tenant’s refresh token and webhook secret are stored encrypted with it, so this connector refuses to onboard without it. Set it (openssl rand -base64 32) for the receiver and the worker, restart them, and connect again.';

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
