import type { EnrichmentProvider } from './provider';
import { BuiltinProvider } from './providers/builtin';
import { CompanyExplorerProvider } from './providers/company-explorer';
import { OpenAiProvider } from './providers/openai';
import { validated } from './validated-provider';

export const ENRICHMENT_PROVIDERS = ['builtin', 'company-explorer', 'openai'] as const;

/** `ENRICHMENT_PROVIDER` and the settings of the chosen provider (validated by packages/config). */
export type ProviderSettings =
  | { readonly provider: 'builtin' }
  | {
      readonly provider: 'company-explorer';
      readonly baseUrl: string;
      readonly apiKey: string;
      readonly timeoutMs?: number;
    }
  | {
      readonly provider: 'openai';
      readonly baseUrl: string;
      readonly apiKey: string;
      readonly model: string;
      readonly timeoutMs?: number;
    };

/** The configured provider, its output validated against the result schema. */
export function createProvider(settings: ProviderSettings): EnrichmentProvider {
  switch (settings.provider) {
    case 'builtin':
      return validated(new BuiltinProvider());
    case 'company-explorer':
      return validated(new CompanyExplorerProvider(settings));
    case 'openai':
      return validated(new OpenAiProvider(settings));
  }
}
