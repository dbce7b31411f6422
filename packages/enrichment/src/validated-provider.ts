import { ProviderError } from './errors';
import type { EnrichmentProvider } from './provider';
import { enrichmentResultSchema, personOpenerSchema } from './result-schema';

/**
 * Wraps a provider so that whatever it returns is checked against the result schema: output that
 * does not fit becomes an `invalid-output` ProviderError and is never written to the CRM.
 */
export function validated(provider: EnrichmentProvider): EnrichmentProvider {
  return {
    name: provider.name,
    async enrichCompany(company, context) {
      const parsed = enrichmentResultSchema.safeParse(
        await provider.enrichCompany(company, context),
      );
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProviderError(
          provider.name,
          'invalid-output',
          `result does not fit the schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
        );
      }
      return parsed.data;
    },
    async personOpener(person, company) {
      const parsed = personOpenerSchema.safeParse(await provider.personOpener(person, company));
      if (!parsed.success)
        throw new ProviderError(
          provider.name,
          'invalid-output',
          `person opener does not fit the schema: ${parsed.error.issues[0]?.message ?? ''}`,
        );
      return parsed.data;
    },
  };
}
