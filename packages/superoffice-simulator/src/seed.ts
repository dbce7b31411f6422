import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const ref = z.object({ id: z.number(), name: z.string() }).nullable();

const udfSeedSchema = z.object({
  progId: z.string(),
  label: z.string(),
  type: z.enum(['text', 'list']),
  textLength: z.number().optional(),
  list: z.string().optional(),
});

/** The JSON fixture a simulated tenant starts from (src/fixtures/demo-tenant.json is the default). */
export const tenantSeedSchema = z.object({
  contextIdentifier: z.string(),
  apiUser: z.object({ associateId: z.number(), userName: z.string(), fullName: z.string() }),
  humans: z.array(z.object({ associateId: z.number(), name: z.string(), fullName: z.string() })),
  verticalList: z.object({
    name: z.string(),
    items: z.array(z.object({ id: z.number(), name: z.string() })),
  }),
  contactUdfs: z.array(udfSeedSchema),
  personUdfs: z.array(udfSeedSchema),
  contacts: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      orgNr: z.string(),
      department: z.string(),
      description: z.string(),
      urls: z.array(z.string()),
      country: ref,
      business: ref,
      category: ref,
      ownerAssociateId: z.number(),
    }),
  ),
  persons: z.array(
    z.object({
      id: z.number(),
      contactId: z.number(),
      firstname: z.string(),
      lastname: z.string(),
      title: z.string(),
      position: ref,
    }),
  ),
});

export type TenantSeed = z.output<typeof tenantSeedSchema>;

export function loadSeed(file = join(__dirname, 'fixtures', 'demo-tenant.json')): TenantSeed {
  return tenantSeedSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}
