import type { ContactEntity, PersonEntity } from '@so-connector/superoffice-client';
import type { CompanyInput, PersonInput } from './result-schema';

/** What the providers read of a company: the one place a contact becomes provider input. */
export function companyInput(contact: ContactEntity): CompanyInput {
  const website = contact.Urls?.find((u) => u.Value)?.Value ?? undefined;
  return {
    name: contact.Name ?? '',
    website,
    domains: contact.Domains ?? [],
    orgNr: contact.OrgNr || undefined,
    country: contact.Country?.Name ?? undefined,
    description: contact.Description || undefined,
  };
}

/** What the opener reads of a person. */
export function personInput(person: PersonEntity): PersonInput {
  return {
    firstName: person.Firstname ?? '',
    lastName: person.Lastname ?? '',
    jobTitle: person.Title || undefined,
    position: person.Position?.Value ?? undefined,
  };
}

/**
 * The company facts a person's opener reads: the person's company when it could be read, else
 * only the company name the person record carries (a person without a company, or one whose
 * company is gone).
 */
export function personCompanyInput(
  person: Pick<PersonEntity, 'Contact'>,
  company: ContactEntity | undefined,
): CompanyInput {
  if (company) return companyInput(company);
  return {
    name: person.Contact?.Name ?? '',
    website: undefined,
    domains: [],
    orgNr: undefined,
    country: undefined,
    description: undefined,
  };
}
