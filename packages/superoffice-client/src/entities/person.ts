import { z } from 'zod';
import { associateRefSchema, listItemSchema, udfDictionarySchema, urlSchema } from './common';

/** PersonEntity, the fields the connector reads (superoffice-api.md 6.3). */
export const personEntitySchema = z.looseObject({
  PersonId: z.number().int(),
  Firstname: z.string().nullish(),
  MiddleName: z.string().nullish(),
  Lastname: z.string().nullish(),
  /** Job title (the person table's `title` column). */
  Title: z.string().nullish(),
  Position: z.looseObject({ Id: z.number().nullish(), Value: z.string().nullish() }).nullish(),
  Contact: z.looseObject({ ContactId: z.number().nullish(), Name: z.string().nullish() }).nullish(),
  Urls: z.array(urlSchema).nullish(),
  Country: z.looseObject({ CountryId: z.number().nullish(), Name: z.string().nullish() }).nullish(),
  Category: listItemSchema,
  Business: listItemSchema,
  Associate: associateRefSchema,
  UpdatedDate: z.string().nullish(),
  CreatedDate: z.string().nullish(),
  UserDefinedFields: udfDictionarySchema,
});

export type PersonEntity = z.output<typeof personEntitySchema>;
