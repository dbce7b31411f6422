import { z } from 'zod';

/**
 * What every provider must return, whatever it is: validated here, so that output that does not
 * fit is an error and is never written to the CRM.
 */
export const enrichmentResultSchema = z.object({
  /** A vertical name; the mapping resolves it to an item of the tenant's Vertical list. */
  vertical: z.string().trim().min(1).max(200),
  summary: z.string().trim().min(1).max(4000),
  /** Personalised opening lines for outreach, best first. */
  openers: z.array(z.string().trim().min(1).max(1000)).min(1).max(5),
});

export type EnrichmentResult = z.output<typeof enrichmentResultSchema>;

export const personOpenerSchema = z.string().trim().min(1).max(1000);

/** The company facts a provider may use (from ContactEntity). */
export interface CompanyInput {
  readonly name: string;
  readonly website: string | undefined;
  readonly domains: readonly string[];
  readonly orgNr: string | undefined;
  readonly country: string | undefined;
  readonly description: string | undefined;
}

/** The person facts a provider may use (from PersonEntity). */
export interface PersonInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly jobTitle: string | undefined;
  readonly position: string | undefined;
}
