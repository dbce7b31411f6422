import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { ProviderError } from '../errors';
import type { EnrichContext, EnrichmentProvider } from '../provider';
import type { CompanyInput, EnrichmentResult, PersonInput } from '../result-schema';
import { postJson } from './provider-http';

export interface CompanyExplorerOptions {
  /** `COMPANY_EXPLORER_URL` */
  readonly baseUrl: string;
  /** `COMPANY_EXPLORER_API_KEY`, sent as a Bearer token. */
  readonly apiKey: string;
  readonly timeoutMs?: number;
  readonly http?: AxiosInstance;
}

const openerResponse = z.object({ opener: z.unknown() });

/**
 * The prototype's "Company Explorer" AI service (DESIGN.md "Enrichment providers"):
 * `POST /v1/analyze` → `{ vertical, summary, openers }`, `POST /v1/opener` → `{ opener }`.
 * Output is validated by the wrapper like any provider's.
 */
export class CompanyExplorerProvider implements EnrichmentProvider {
  readonly name = 'company-explorer';
  private readonly http: AxiosInstance;

  constructor(private readonly options: CompanyExplorerOptions) {
    this.http = options.http ?? axios.create();
  }

  async enrichCompany(company: CompanyInput, context: EnrichContext): Promise<EnrichmentResult> {
    const body = {
      name: company.name,
      website: company.website ?? null,
      orgNr: company.orgNr ?? null,
      country: company.country ?? null,
      description: company.description ?? null,
      verticals: context.verticals,
    };
    return (await this.post('/v1/analyze', body)) as EnrichmentResult;
  }

  async personOpener(person: PersonInput, company: CompanyInput): Promise<string> {
    const data = await this.post('/v1/opener', {
      person: {
        firstName: person.firstName,
        lastName: person.lastName,
        jobTitle: person.jobTitle ?? null,
      },
      company: {
        name: company.name,
        website: company.website ?? null,
        country: company.country ?? null,
      },
    });
    const parsed = openerResponse.safeParse(data);
    if (!parsed.success)
      throw new ProviderError(this.name, 'invalid-output', 'opener response has no "opener"');
    return parsed.data.opener as string;
  }

  private post(path: string, body: unknown): Promise<unknown> {
    const { baseUrl, apiKey, timeoutMs = 30_000 } = this.options;
    return postJson(
      { http: this.http, provider: this.name, baseUrl, path, apiKey, timeoutMs },
      body,
    );
  }
}
