import {
  INFERRED,
  parseSuperOfficeDate,
  SuperOfficeError,
  udfKey,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import { fail, pass, skip, type CheckResult } from '../doctor/check-result';
import { describeError } from '../errors';

export interface InferredCheckOptions {
  readonly contactId: number;
  /** A text UDF of the Contact to write a probe value to (and restore). */
  readonly udfKey: string | undefined;
  /** The Contact list UDF whose list is read with INFERRED.mdoListQuery. */
  readonly listUdfKey: string | undefined;
  readonly now?: () => Date;
}

/** A zone-less UpdatedDate this far from the clock means the tenant writes local time, not UTC. */
const CLOCK_TOLERANCE_MS = 10 * 60_000;

const NAMES = {
  patch: `inferred json-patch`,
  path: `inferred udf-path ${INFERRED.udfPatchRoot}/{key}`,
  dates: 'inferred zone-less dates are UTC',
  flat: `inferred MDOList ?${new URLSearchParams(INFERRED.mdoListQuery).toString()}`,
} as const;

const failure = (error: unknown) =>
  error instanceof SuperOfficeError && error.status !== undefined
    ? `HTTP ${error.status}: ${describeError(error).message}`
    : describeError(error).message;

/**
 * Exercises each choice the client makes where SuperOffice's documentation is silent
 * (INFERRED, docs/superoffice.md) once against a real record: writes a probe value to a text UDF
 * with the JSON Patch the worker sends, reads it back, restores the old value, and reads the
 * Vertical's list as the client does. `client` must write with `json-patch`.
 */
export async function inferredChecks(
  client: SuperOfficeClient,
  options: InferredCheckOptions,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const now = options.now ?? (() => new Date());
  const key = options.udfKey;
  if (!key) {
    out.push(skip(NAMES.patch, 'no text UDF to probe (SO_UDF_SUMMARY or --udf)'));
  } else {
    const before = await client.getContact(options.contactId);
    const original = before.UserDefinedFields?.[key];
    const probe = `so-connector verify probe ${now().toISOString()}`;
    let saved: Awaited<ReturnType<SuperOfficeClient['patchContactUdfs']>> | undefined;
    try {
      saved = await client.patchContactUdfs(
        options.contactId,
        { [key]: probe },
        { expectUpdatedDate: before.UpdatedDate },
      );
      out.push(
        pass(
          NAMES.patch,
          `PATCH /v1/Contact/${options.contactId} took a JSON Patch array (test on UpdatedDate, replace) as application/json`,
        ),
      );
    } catch (error) {
      out.push(
        fail(
          NAMES.patch,
          `PATCH /v1/Contact/${options.contactId} with a JSON Patch array: ${failure(error)}`,
          'set SO_UDF_WRITE_MODE=get-put (GET + PUT, documented) and report this result',
        ),
      );
    }
    if (saved) {
      const raw = (await client.getRaw(`/v1/Contact/${options.contactId}`)) as {
        UserDefinedFields?: Record<string, unknown> | null;
      } | null;
      const landed = raw?.UserDefinedFields?.[key];
      out.push(
        landed === probe
          ? pass(NAMES.path, `${INFERRED.udfPatchRoot}/${key} landed in UserDefinedFields`)
          : fail(
              NAMES.path,
              `the PATCH answered 200 but UserDefinedFields["${key}"] holds ${JSON.stringify(landed)}: the path did not land`,
              'set SO_UDF_WRITE_MODE=get-put and report this result (the path to try next is /CustomFields/{key})',
            ),
      );
      out.push(zonelessCheck(saved.UpdatedDate, now()));
      if (landed === probe) {
        try {
          await client.patchContactUdfs(options.contactId, {
            [key]: typeof original === 'string' ? original : '',
          });
        } catch (error) {
          out.push(
            fail(
              'inferred restore',
              `could not restore ${key}: ${failure(error)}`,
              `set ${key} of contact ${options.contactId} back by hand to ${JSON.stringify(original ?? '')}`,
            ),
          );
        }
      }
    } else {
      out.push(skip(NAMES.path, 'the JSON Patch was refused'));
      out.push(skip(NAMES.dates, 'needs a write'));
    }
  }
  out.push(await flatListCheck(client, options.listUdfKey));
  return out;
}

export function zonelessCheck(updatedDate: string | null | undefined, now: Date): CheckResult {
  const instant = parseSuperOfficeDate(updatedDate);
  if (!instant)
    return fail(
      NAMES.dates,
      `UpdatedDate ${JSON.stringify(updatedDate)} is not a date the client reads`,
      'report this value',
    );
  if (instant.hasZone) return pass(NAMES.dates, `UpdatedDate ${updatedDate} carries its zone`);
  const drift = instant.epochMs - now.getTime();
  return Math.abs(drift) <= CLOCK_TOLERANCE_MS
    ? pass(
        NAMES.dates,
        `UpdatedDate ${updatedDate} read as UTC is within ${Math.round(Math.abs(drift) / 1000)} s of now`,
      )
    : fail(
        NAMES.dates,
        `UpdatedDate ${updatedDate} read as UTC is ${Math.round(drift / 60_000)} min from now: the tenant writes local time`,
        'report this result: zone-less dates need the tenant’s offset (packages/superoffice-client/src/inferred.ts)',
      );
}

async function flatListCheck(
  client: SuperOfficeClient,
  listUdfKey: string | undefined,
): Promise<CheckResult> {
  if (!listUdfKey) return skip(NAMES.flat, 'no list UDF (SO_UDF_VERTICAL) to read');
  const layout = await client.getPublishedUdfLayout('Contact');
  const listName = layout.find((d) => udfKey(d) === listUdfKey)?.MdoListName;
  if (!listName) return skip(NAMES.flat, `${listUdfKey} has no MdoListName in the layout`);
  const call = `GET /v1/MDOList/${listName}?${new URLSearchParams(INFERRED.mdoListQuery).toString()}`;
  let items: unknown;
  try {
    items = await client.getRaw(
      `/v1/MDOList/${encodeURIComponent(listName)}`,
      INFERRED.mdoListQuery,
    );
  } catch (error) {
    return fail(
      NAMES.flat,
      `${call}: ${failure(error)}`,
      'so-connector doctor names the list and its fix',
    );
  }
  if (!Array.isArray(items))
    return fail(NAMES.flat, `${call} answered ${typeof items}, not a list`, 'report this result');
  const nested = items.filter(
    (item: { ChildItems?: unknown }) =>
      Array.isArray(item.ChildItems) &&
      item.ChildItems.some((c: { Id?: unknown }) => c.Id !== undefined),
  ).length;
  return nested === 0
    ? pass(NAMES.flat, `${call}: ${items.length} items, none nested`)
    : fail(
        NAMES.flat,
        `${call}: ${nested} of ${items.length} items still hold child items: flat=true did not flatten`,
        'report this result; the connector reads only top-level items',
      );
}
