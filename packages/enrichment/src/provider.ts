import type { CompanyInput, EnrichmentResult, PersonInput } from './result-schema';

export interface EnrichContext {
  /** Names of the tenant's Vertical list items: the vertical should be one of them. */
  readonly verticals: readonly string[];
}

/** An enrichment service. Results are validated by the caller-facing wrapper, whatever the provider. */
export interface EnrichmentProvider {
  readonly name: string;
  enrichCompany(company: CompanyInput, context: EnrichContext): Promise<EnrichmentResult>;
  personOpener(person: PersonInput, company: CompanyInput): Promise<string>;
}
