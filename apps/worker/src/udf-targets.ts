import type { UdfTargetsConfig } from '@so-connector/config';
import type { CompanyTargets, TargetUdf } from '@so-connector/enrichment';
import type { Logger } from '@so-connector/logger';
import {
  SuperOfficeError,
  udfKey,
  type SuperOfficeClient,
  type UdfDefinition,
  type UdfOwner,
} from '@so-connector/superoffice-client';
import { createListBackoff, type ListBackoffOptions } from './list-backoff';

export interface CompanyUdfTargets extends CompanyTargets {
  readonly verticalNames: string[];
  /** Configured keys that are not in the published Contact layout. */
  readonly missing: string[];
  /**
   * Set when the Vertical's MDO list answered 404 or 403: the Vertical is left alone, the rest is
   * written. Part of the targets, so part of the fingerprint: once the list reads again, the same
   * inputs no longer match and the Vertical is written.
   */
  readonly verticalUnreadable?: { readonly list: string; readonly status: number };
}

export interface UdfTargets {
  company(): Promise<CompanyUdfTargets>;
  personOpener(): Promise<TargetUdf | undefined>;
}

export interface UdfTargetsOptions extends ListBackoffOptions {
  /** How long layouts and list items are cached (default 10 min). */
  readonly ttlMs?: number;
  readonly logger?: Logger;
}

/** A list the API user may not read (or that is not there): degrade, do not fail the enrichment. */
function unreadable(error: unknown): number | undefined {
  return error instanceof SuperOfficeError && (error.status === 404 || error.status === 403)
    ? error.status
    : undefined;
}

/**
 * Resolves the configured `SO_UDF_*` keys against the published layouts (TextLength, list) and the
 * Vertical's MDO list items, cached for `ttlMs` (SuperOffice asks for layouts and lists to be read
 * "very infrequently", superoffice-api.md 6.5). A Vertical list that answers 404 or 403 does not
 * stop the company's enrichment (issue 11 §5): the targets come without the Vertical and say why,
 * the list is asked again on a back-off (1 min doubling to 1 h by default), and the log gets one
 * warning per list per hour.
 */
export function createUdfTargets(
  client: SuperOfficeClient,
  keys: UdfTargetsConfig,
  options: UdfTargetsOptions = {},
): UdfTargets {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { until: number; value: Promise<unknown> }>();
  const cached = <T>(name: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(name);
    if (hit && hit.until > now()) return hit.value as Promise<T>;
    const value = load();
    cache.set(name, { until: now() + ttlMs, value });
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
  const lists = createListBackoff(options);

  /** The list's items, or the status it refused them with (until its back-off ends). */
  const listItems = async (
    name: string,
  ): Promise<{ id: number; name: string }[] | { refused: number }> => {
    const refused = lists.refusal(name);
    if (refused !== undefined) return { refused };
    try {
      const items = await cached(`list:${name}`, () => client.getMdoListItems(name));
      lists.readable(name);
      return items.filter((i) => !i.Deleted).map((i) => ({ id: i.Id, name: i.Name }));
    } catch (error) {
      const status = unreadable(error);
      if (status === undefined) throw error;
      const { retryInMs, warn } = lists.refused(name, status);
      if (warn)
        options.logger?.warn('vertical list not readable; the Vertical is not written', {
          list: name,
          status,
          retryInMs,
        });
      return { refused: status };
    }
  };

  return {
    company: async () => {
      const definitions = await layout('Contact');
      const missing = [keys.vertical, keys.summary, keys.opener].filter(
        (k): k is string => k !== undefined && !find(definitions, k),
      );
      const verticalDef = find(definitions, keys.vertical);
      const listName = verticalDef?.MdoListName || undefined;
      const read = listName ? await listItems(listName) : undefined;
      const items = Array.isArray(read) ? read : undefined;
      const refused = read && !Array.isArray(read) ? read.refused : undefined;
      return {
        ...(keys.vertical && verticalDef && refused === undefined
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
        ...(listName && refused !== undefined
          ? { verticalUnreadable: { list: listName, status: refused } }
          : {}),
      };
    },
    personOpener: () =>
      cached('person', async () => {
        const definition = find(await layout('Person'), keys.personOpener);
        return keys.personOpener && definition ? target(definition, keys.personOpener) : undefined;
      }),
  };
}
