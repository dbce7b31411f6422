import { decodeSecretsKey, inspectCliConfig, type EnrichmentSettings } from '@so-connector/config';
import type { Environment } from '@so-connector/tenants';
import { loginEndpoints, type LoginEndpoints } from '@so-connector/superoffice-client';
import { publicAddress, type PublicAddress } from './public-base';

/** What onboarding in the browser needs; the app's identity is shared by every tenant. */
export interface OnboardingSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  /** SO_REDIRECT_URI, sent exactly as registered with SuperOffice. */
  readonly redirectUri: string;
  readonly environment: Environment;
  /** SuperOffice's login endpoints (from SO_ENVIRONMENT, or the host of an SO_TOKEN_URL override). */
  readonly endpoints: LoginEndpoints;
  /** SO_TOKEN_URL override, kept in the tenant (the simulator, tests); undefined = the environment's. */
  readonly tokenUrlOverride: string | undefined;
  readonly address: PublicAddress;
  /** TENANT_SECRETS_KEY; onboarding refuses to store a tenant without it. */
  readonly secretsKey: Buffer | undefined;
  /** The deployment's provider (ENRICHMENT_PROVIDER …), which an onboarded tenant starts with. */
  readonly provider: EnrichmentSettings;
}

/** Onboarding is available, or why not (one line per missing or invalid variable). */
export type OnboardingConfig =
  | { readonly ok: true; readonly value: OnboardingSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

type Env = Readonly<Record<string, string | undefined>>;

/** The variables onboarding reads; other problems are the worker's or the CLI's to report. */
const RELEVANT =
  /^(SO_CLIENT_ID|SO_CLIENT_SECRET|SO_REDIRECT_URI|SO_ENVIRONMENT|SO_TOKEN_URL|WEBHOOK_PUBLIC_URL|TENANT_SECRETS_KEY|ENRICHMENT_PROVIDER|COMPANY_EXPLORER_\w+|OPENAI_\w+|PROVIDER_TIMEOUT_MS|REDIS_URL|QUEUE_PREFIX)$/;

/**
 * Reads onboarding's settings from the environment the worker and the CLI read them from
 * (SO_CLIENT_ID, SO_CLIENT_SECRET, SO_REDIRECT_URI, SO_ENVIRONMENT, SO_TOKEN_URL,
 * WEBHOOK_PUBLIC_URL, TENANT_SECRETS_KEY and the provider variables), through the CLI's
 * lenient loader: a missing variable makes onboarding unavailable, never the receiver.
 */
export function onboardingConfigFromEnv(env: Env): OnboardingConfig {
  const { config, problems } = inspectCliConfig(env);
  const line = (p: { variable: string; message: string }) => `${p.variable} ${p.message}`;
  const out: string[] = problems.filter((p) => RELEVANT.test(p.variable)).map(line);
  const redirectUri = env.SO_REDIRECT_URI?.trim() || undefined;
  if (redirectUri === undefined)
    out.push('SO_REDIRECT_URI is required: the app’s registered redirect URI, …/oauth/callback');
  const webhook = env.WEBHOOK_PUBLIC_URL?.trim() || undefined;
  const address = redirectUri ? publicAddress(redirectUri, webhook) : undefined;
  if (address && !address.ok) out.push(address.problem);
  const tokenUrl = env.SO_TOKEN_URL?.trim() || undefined;
  if (!config || !config.app.ok || !config.enrichment.ok || !address?.ok || out.length > 0)
    return {
      ok: false,
      problems: out.length > 0 ? [...new Set(out)] : problems.map(line),
    };
  const key = config.tenants.secretsKey;
  const decoded = key === undefined ? undefined : decodeSecretsKey(key);
  return {
    ok: true,
    value: {
      clientId: config.app.value.clientId,
      clientSecret: config.app.value.clientSecret,
      redirectUri: redirectUri!,
      environment: config.superofficeEnvironment,
      endpoints: loginEndpoints(config.superofficeEnvironment, tokenUrl),
      tokenUrlOverride: tokenUrl,
      address: address.value,
      secretsKey: decoded?.ok ? decoded.key : undefined,
      provider: config.enrichment.value,
    },
  };
}
