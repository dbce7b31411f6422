import { z } from 'zod';
import { associateRefSchema, listItemSchema, udfDictionarySchema, urlSchema } from './common';

/** ContactEntity (a company), the fields the connector reads (superoffice-api.md 6.3). */
export const contactEntitySchema = z.looseObject({
  ContactId: z.number().int(),
  Name: z.string().nullish(),
  Department: z.string().nullish(),
  OrgNr: z.string().nullish(),
  Description: z.string().nullish(),
  UpdatedDate: z.string().nullish(),
  CreatedDate: z.string().nullish(),
  UpdatedBy: associateRefSchema,
  Associate: associateRefSchema,
  Business: listItemSchema,
  Category: listItemSchema,
  Country: z.looseObject({ CountryId: z.number().nullish(), Name: z.string().nullish() }).nullish(),
  Urls: z.array(urlSchema).nullish(),
  Domains: z.array(z.string()).nullish(),
  UserDefinedFields: udfDictionarySchema,
});

export type ContactEntity = z.output<typeof contactEntitySchema>;
