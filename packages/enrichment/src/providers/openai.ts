import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { ProviderError } from '../errors';
import type { EnrichContext, EnrichmentProvider } from '../provider';
import type { CompanyInput, EnrichmentResult, PersonInput } from '../result-schema';
import { postJson } from './provider-http';

export interface OpenAiOptions {
  /** `OPENAI_BASE_URL`, e.g. `https://api.openai.com/v1` or an Ollama/vLLM/Azure endpoint. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** `OPENAI_MODEL` */
  readonly model: string;
  readonly timeoutMs?: number;
  readonly http?: AxiosInstance;
}

const chatResponse = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const COMPANY_PROMPT = `You classify B2B companies for a CRM. Answer with one JSON object only:
{"vertical": string (exactly one of the allowed verticals), "summary": string (2-3 sentences, factual),
"openers": string[] (2 short, personalised opening lines for a first sales e-mail)}.`;

const PERSON_PROMPT = `You write one short, personalised opening line for a first sales e-mail to a person.
Answer with one JSON object only: {"opener": string}.`;

/**
 * Any OpenAI-compatible chat-completions endpoint, asked for a JSON object. The answer is parsed and
 * validated by the wrapper; anything else is `invalid-output`, never written.
 */
export class OpenAiProvider implements EnrichmentProvider {
  readonly name = 'openai';
  private readonly http: AxiosInstance;

  constructor(private readonly options: OpenAiOptions) {
    this.http = options.http ?? axios.create();
  }

  async enrichCompany(company: CompanyInput, context: EnrichContext): Promise<EnrichmentResult> {
    const facts = { ...company, allowedVerticals: context.verticals };
    return (await this.complete(COMPANY_PROMPT, JSON.stringify(facts))) as EnrichmentResult;
  }

  async personOpener(person: PersonInput, company: CompanyInput): Promise<string> {
    const answer = await this.complete(
      PERSON_PROMPT,
      JSON.stringify({
        person,
        company: { name: company.name, country: company.country, description: company.description },
      }),
    );
    const opener = (answer as { opener?: unknown } | null)?.opener;
    if (typeof opener !== 'string')
      throw new ProviderError(this.name, 'invalid-output', 'answer has no "opener" string');
    return opener;
  }

  private async complete(system: string, user: string): Promise<unknown> {
    const { baseUrl, apiKey, model, timeoutMs = 60_000 } = this.options;
    const data = await postJson(
      {
        http: this.http,
        provider: this.name,
        baseUrl,
        path: '/chat/completions',
        apiKey,
        timeoutMs,
      },
      {
        model,
        temperature: 0.2,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
      },
    );
    const parsed = chatResponse.safeParse(data);
    const content = parsed.success ? parsed.data.choices[0]?.message.content : undefined;
    if (!content)
      throw new ProviderError(this.name, 'invalid-output', 'the completion has no message content');
    try {
      return JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')) as unknown;
    } catch {
      throw new ProviderError(this.name, 'invalid-output', 'the completion is not JSON');
    }
  }
}
