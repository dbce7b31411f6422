import { createHash } from 'node:crypto';
import type { CompanyInput, PersonInput } from './result-schema';

function norm(value: string | undefined): string {
  return (value ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function hash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * A hash of the company facts the providers read (name, domains, website, org. number, country,
 * description). Equal to the fingerprint of the last successful enrichment → the provider is not
 * asked again: a human edit that changes nothing the provider reads costs no AI call.
 */
export function companyFingerprint(company: CompanyInput): string {
  const domains = [...new Set(company.domains.map(norm))].filter(Boolean).sort();
  return hash([
    'company:v2',
    norm(company.name),
    domains,
    norm(company.website),
    norm(company.orgNr),
    norm(company.country),
    norm(company.description),
  ]);
}

/** The person facts the opener reads: job title and position (and the company's fingerprint). */
export function personFingerprint(person: PersonInput, companyPrint: string): string {
  return hash([
    'person:v1',
    norm(person.firstName),
    norm(person.jobTitle),
    norm(person.position),
    companyPrint,
  ]);
}

/**
 * The stored fingerprint also covers where the values go and who made them (target keys, list
 * items, text lengths, provider): after a change of any of those, stored values are not reused.
 */
export function targetedFingerprint(inputs: string, provider: string, targets: unknown): string {
  return hash([inputs, provider, targets]);
}
