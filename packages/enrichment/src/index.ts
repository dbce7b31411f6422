export {
  enrichmentResultSchema,
  personOpenerSchema,
  type CompanyInput,
  type EnrichmentResult,
  type PersonInput,
} from './result-schema';
export type { EnrichContext, EnrichmentProvider } from './provider';
export { ProviderError, type ProviderErrorKind } from './errors';
export { validated } from './validated-provider';
export { BuiltinProvider, normaliseName, scoreVerticals } from './providers/builtin';
export { CompanyExplorerProvider, type CompanyExplorerOptions } from './providers/company-explorer';
export { OpenAiProvider, type OpenAiOptions } from './providers/openai';
export {
  findListItem,
  mapCompanyResult,
  mapPersonOpener,
  type CompanyTargets,
  type Mapping,
  type TargetUdf,
} from './map-to-udf';
export { diffUdfs, type FieldChange } from './diff';
export { companyFingerprint, personFingerprint, targetedFingerprint } from './fingerprint';
export { companyInput, personCompanyInput, personInput } from './inputs';
export { createProvider, ENRICHMENT_PROVIDERS, type ProviderSettings } from './create-provider';
