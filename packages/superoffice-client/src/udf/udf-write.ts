import type { z } from 'zod';
import { toHttpDate } from '../dates/superoffice-date';
import { INFERRED } from '../inferred';
import { SuperOfficeError } from '../http/errors';
import { patchJson } from '../http/json-patch-request';
import type { RequestFn } from '../http/request';

export type UdfOwner = 'Contact' | 'Person';

/**
 * How UDF values are written. `json-patch`: PATCH with `replace` operations on
 * `/UserDefinedFields/{key}` (the natural path; not documented, superoffice-api.md 10.3).
 * `get-put`: read the whole entity and PUT it back, the fully documented fallback.
 * Kept as one setting so it can change after a check on a real tenant (`so-connector verify
 * --inferred` tries each inferred choice once).
 */
export type UdfWriteMode = 'json-patch' | 'get-put';

export interface PatchUdfsOptions {
  /**
   * Optimistic concurrency: the write is refused with a 409 `conflict` when the record's
   * UpdatedDate is no longer this value (a JSON Patch `test` operation).
   */
  readonly expectUpdatedDate?: string | null | undefined;
}

/** The root of a UDF's JSON Pointer in a PATCH (inferred: see INFERRED.udfPatchRoot). */
export const UDF_PATCH_ROOT = INFERRED.udfPatchRoot;

/** JSON Pointer escaping (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapeJsonPointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON Patch that sets the given UDFs (and optionally tests UpdatedDate first). */
export function udfPatchOperations(
  values: Readonly<Record<string, string>>,
  options: PatchUdfsOptions = {},
  root: string = UDF_PATCH_ROOT,
) {
  const ops: { op: 'test' | 'replace'; path: string; value: string }[] = [];
  if (options.expectUpdatedDate)
    ops.push({ op: 'test', path: '/UpdatedDate', value: options.expectUpdatedDate });
  for (const [key, value] of Object.entries(values)) {
    ops.push({ op: 'replace', path: `${root}/${escapeJsonPointer(key)}`, value });
  }
  return ops;
}

/** Writes UDF values by `mode`; resolves with the saved entity as SuperOffice returns it. */
export async function writeUdfs<S extends z.ZodType>(
  request: RequestFn,
  write: {
    readonly mode: UdfWriteMode;
    readonly owner: UdfOwner;
    readonly id: number;
    readonly values: Readonly<Record<string, string>>;
    readonly options?: PatchUdfsOptions | undefined;
    readonly schema: S;
  },
): Promise<z.output<S>> {
  const { owner, id, values, schema, options = {} } = write;
  const path = `/v1/${owner}/${id}`;
  if (write.mode === 'json-patch')
    return patchJson(request, { path, body: udfPatchOperations(values, options), schema });
  const current = (await request({ method: 'GET', path, schema })) as Record<string, unknown> & {
    UpdatedDate?: string | null | undefined;
    UserDefinedFields?: Record<string, unknown> | null | undefined;
  };
  if (options.expectUpdatedDate && current.UpdatedDate !== options.expectUpdatedDate) {
    throw new SuperOfficeError({
      status: 409,
      method: 'PUT',
      url: path,
      errorMessage: 'record changed since it was read',
      kind: 'conflict',
    });
  }
  // If-Unmodified-Since lets SuperOffice refuse the PUT (412) when a human saved in between.
  const since = toHttpDate(current.UpdatedDate);
  return request({
    method: 'PUT',
    path,
    body: { ...current, UserDefinedFields: { ...(current.UserDefinedFields ?? {}), ...values } },
    headers: since ? { 'If-Unmodified-Since': since } : {},
    schema,
  }) as Promise<z.output<S>>;
}
