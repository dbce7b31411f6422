import { z } from 'zod';

/** `GET /v1/User/currentPrincipal`: who the API user is; `AssociateId` identifies our own echoes. */
export const principalSchema = z.looseObject({
  AssociateId: z.number().int(),
  UserName: z.string().nullish(),
  FullName: z.string().nullish(),
  PersonId: z.number().nullish(),
  ContactId: z.number().nullish(),
});

export type Principal = z.output<typeof principalSchema>;
