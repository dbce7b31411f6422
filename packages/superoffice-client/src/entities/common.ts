import { z } from 'zod';

/**
 * Sub-objects SuperOffice may send as null, as an object, or (in generated samples) not at all.
 * Unknown fields pass through everywhere: the API adds fields, and we only name what we read.
 */
export const listItemSchema = z
  .looseObject({ Id: z.number().nullish(), Value: z.string().nullish() })
  .nullish();

export const urlSchema = z.looseObject({
  Value: z.string().nullish(),
  StrippedValue: z.string().nullish(),
  Description: z.string().nullish(),
});

export const associateRefSchema = z
  .looseObject({
    AssociateId: z.number().nullish(),
    Name: z.string().nullish(),
    FullName: z.string().nullish(),
  })
  .nullish();

/**
 * `UserDefinedFields`: documented as string → string, but a production tenant returned a nested
 * object once (superoffice-api.md 9); any value is accepted here and the UDF codec classifies it.
 */
export const udfDictionarySchema = z.record(z.string(), z.unknown()).nullish();
