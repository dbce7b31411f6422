import { z } from 'zod';

/** One entry of `GET /v1/{Contact|Person}/UdefLayout/Published` (superoffice-api.md 6.5). */
export const udfDefinitionSchema = z.looseObject({
  ProgId: z.string().nullish(),
  UdefIdentity: z.number().nullish(),
  UDefFieldId: z.number().nullish(),
  FieldLabel: z.string().nullish(),
  FieldType: z.string().nullish(),
  TextLength: z.number().nullish(),
  IsReadOnly: z.boolean().nullish(),
  UDListDefinitionId: z.number().nullish(),
  ListTableId: z.number().nullish(),
  MdoListName: z.string().nullish(),
});

export const udfLayoutSchema = z.array(udfDefinitionSchema);

export type UdfDefinition = z.output<typeof udfDefinitionSchema>;

/** The dictionary key of a UDF: its ProgId, else `SuperOffice:{UdefIdentity}` (superoffice-api.md 6.4). */
export function udfKey(definition: UdfDefinition): string | undefined {
  if (definition.ProgId) return definition.ProgId;
  return definition.UdefIdentity === null || definition.UdefIdentity === undefined
    ? undefined
    : `SuperOffice:${definition.UdefIdentity}`;
}

/** Key → FieldType of a published layout, for reading values by their type (`readUdfs`). */
export function udfFieldTypes(layout: readonly UdfDefinition[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const definition of layout) {
    const key = udfKey(definition);
    if (key && definition.FieldType) out[key] = definition.FieldType;
  }
  return out;
}

/** `GET /v1/MDOList/{name}` items (flat). */
export const mdoListItemSchema = z.looseObject({
  Id: z.number(),
  Name: z.string(),
  Deleted: z.boolean().nullish(),
});

export const mdoListSchema = z.array(mdoListItemSchema);

export type MdoListItem = z.output<typeof mdoListItemSchema>;
