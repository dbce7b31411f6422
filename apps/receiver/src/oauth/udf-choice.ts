import {
  candidatesFor,
  chooseUdfTargets,
  udfKey,
  udfKind,
  UDF_TARGETS,
  type SuperOfficeClient,
  type UdfCandidate,
  type UdfTargetName,
} from '@so-connector/superoffice-client';
import type { TenantUdfMap } from '@so-connector/tenants';

/** A published Contact or Person UDF, as the pick form offers it. */
export interface UdfField extends UdfCandidate {
  readonly fieldType: string | null;
}

/** Every published Contact and Person UDF of the tenant (superoffice-api.md 6.5). */
export async function readPublishedFields(client: SuperOfficeClient): Promise<UdfField[]> {
  const out: UdfField[] = [];
  for (const owner of ['Contact', 'Person'] as const) {
    for (const definition of await client.getPublishedUdfLayout(owner)) {
      const key = udfKey(definition);
      if (key === undefined) continue;
      out.push({
        owner,
        key,
        kind: udfKind(definition),
        label: definition.FieldLabel ?? null,
        fieldType: definition.FieldType ?? null,
      });
    }
  }
  return out;
}

/** The UDF map discovery proposes: per target, the field whose owner, kind and label fit. */
export function discoveredUdfMap(fields: readonly UdfField[]): TenantUdfMap {
  const chosen = chooseUdfTargets(fields);
  return {
    vertical: chosen.get('vertical')?.key,
    summary: chosen.get('summary')?.key,
    opener: chosen.get('opener')?.key,
    personOpener: chosen.get('personOpener')?.key,
  };
}

/** True when discovery found a field for every target: nothing left for the admin to pick. */
export function isComplete(map: TenantUdfMap): boolean {
  return UDF_TARGETS.every((t) => map[t.name] !== undefined);
}

export type UdfMapInput = Partial<Record<UdfTargetName, unknown>>;

/**
 * The map an admin picked on the form, checked against the tenant's published layout: each value
 * is empty (the field is not written) or the key of a field that target may use (its owner and
 * kind); no field twice. Returns the map, or one message per wrong choice.
 */
export function pickedUdfMap(
  input: UdfMapInput,
  fields: readonly UdfField[],
): { ok: true; map: TenantUdfMap } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const map: Record<string, string | undefined> = {};
  const used = new Map<string, string>();
  for (const target of UDF_TARGETS) {
    const raw = input[target.name];
    const key = typeof raw === 'string' ? raw.trim() : '';
    if (key === '') {
      map[target.name] = undefined;
      continue;
    }
    if (!candidatesFor(target, fields).some((f) => f.key === key)) {
      problems.push(`${target.name}: ${key} is not ${target.what.replace(/ labelled.*$/, '')}`);
      continue;
    }
    const other = used.get(key);
    if (other) problems.push(`${target.name}: ${key} is already used for ${other}`);
    used.set(key, target.name);
    map[target.name] = key;
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    map: {
      vertical: map.vertical,
      summary: map.summary,
      opener: map.opener,
      personOpener: map.personOpener,
    },
  };
}
