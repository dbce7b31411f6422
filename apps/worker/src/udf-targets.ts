import type { UdfTargetsConfig } from '@so-connector/config';
import type { CompanyTargets, TargetUdf } from '@so-connector/enrichment';
import {
  udfKey,
  type SuperOfficeClient,
  type UdfDefinition,
  type UdfOwner,
} from '@so-connector/superoffice-client';

export interface UdfTargets {
  company(): Promise<CompanyTargets & { verticalNames: string[]; missing: string[] }>;
  personOpener(): Promise<TargetUdf | undefined>;
}

/**
 * Resolves the configured `SO_UDF_*` keys against the published layouts (TextLength, list) and the
 * Vertical's MDO list items, cached for `ttlMs` (SuperOffice asks for layouts and lists to be read
 * "very infrequently", superoffice-api.md 6.5).
 */
export function createUdfTargets(
  client: SuperOfficeClient,
  keys: UdfTargetsConfig,
  ttlMs = 10 * 60_000,
): UdfTargets {
  const cache = new Map<string, { until: number; value: Promise<unknown> }>();
  const cached = <T>(name: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(name);
    if (hit && hit.until > Date.now()) return hit.value as Promise<T>;
    const value = load();
    cache.set(name, { until: Date.now() + ttlMs, value });
    value.catch(() => cache.delete(name));
    return value;
  };
  const layout = (owner: UdfOwner) =>
    cached(`layout:${owner}`, () => client.getPublishedUdfLayout(owner));
  const find = (definitions: UdfDefinition[], key: string | undefined) =>
    key ? definitions.find((d) => udfKey(d) === key) : undefined;
  const target = (definition: UdfDefinition | undefined, key: string): TargetUdf => ({
    key,
    textLength: definition?.TextLength ?? undefined,
  });

  return {
    company: () =>
      cached('company', async () => {
        const definitions = await layout('Contact');
        const missing = [keys.vertical, keys.summary, keys.opener].filter(
          (k): k is string => k !== undefined && !find(definitions, k),
        );
        const verticalDef = find(definitions, keys.vertical);
        const listName = verticalDef?.MdoListName || undefined;
        const items = listName
          ? (await client.getMdoListItems(listName))
              .filter((i) => !i.Deleted)
              .map((i) => ({ id: i.Id, name: i.Name }))
          : undefined;
        return {
          ...(keys.vertical && verticalDef
            ? {
                vertical: {
                  ...target(verticalDef, keys.vertical),
                  ...(items ? { listItems: items } : {}),
                },
              }
            : {}),
          ...(keys.summary && find(definitions, keys.summary)
            ? { summary: target(find(definitions, keys.summary), keys.summary) }
            : {}),
          ...(keys.opener && find(definitions, keys.opener)
            ? { opener: target(find(definitions, keys.opener), keys.opener) }
            : {}),
          verticalNames: items?.map((i) => i.name) ?? [],
          missing,
        };
      }),
    personOpener: () =>
      cached('person', async () => {
        const definition = find(await layout('Person'), keys.personOpener);
        return keys.personOpener && definition ? target(definition, keys.personOpener) : undefined;
      }),
  };
}
