/** JSON Patch (RFC 6902) as SuperOffice applies it: add/replace/remove/test, paths case-insensitive, leading slash optional. */
export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

export class PatchError extends Error {
  constructor(
    readonly status: 400 | 409,
    message: string,
  ) {
    super(message);
  }
}

function segments(path: string): string[] {
  return path
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function findKey(target: Record<string, unknown>, key: string): string | undefined {
  if (key in target) return key;
  const lower = key.toLowerCase();
  return Object.keys(target).find((k) => k.toLowerCase() === lower);
}

/** Applies the operations to a copy of `document`; 409 when a `test` fails, 400 when an op is invalid. */
export function applyJsonPatch(
  document: Record<string, unknown>,
  operations: readonly PatchOperation[],
): Record<string, unknown> {
  const doc = structuredClone(document);
  for (const operation of operations) {
    if (typeof operation.path !== 'string')
      throw new PatchError(400, 'patch operation has no path');
    const parts = segments(operation.path);
    const last = parts.pop();
    if (last === undefined || last === '')
      throw new PatchError(400, `invalid path ${operation.path}`);
    let parent: Record<string, unknown> = doc;
    for (const part of parts) {
      const key = findKey(parent, part);
      const child = key === undefined ? undefined : parent[key];
      if (child === null || typeof child !== 'object') {
        if (operation.op === 'add' || operation.op === 'replace') {
          const created: Record<string, unknown> = {};
          parent[key ?? part] = created;
          parent = created;
          continue;
        }
        throw new PatchError(400, `path ${operation.path} does not exist`);
      }
      parent = child as Record<string, unknown>;
    }
    const key = findKey(parent, last);
    switch (operation.op) {
      case 'add':
      case 'replace':
        parent[key ?? last] = operation.value;
        break;
      case 'remove':
        if (key !== undefined) delete parent[key];
        break;
      case 'test':
        if (
          JSON.stringify(key === undefined ? undefined : parent[key]) !==
          JSON.stringify(operation.value)
        ) {
          throw new PatchError(409, `test failed for ${operation.path}`);
        }
        break;
      default:
        throw new PatchError(400, `unsupported patch operation ${String(operation.op)}`);
    }
  }
  return doc;
}

/** JSON Merge Patch (RFC 7396): objects merge, null deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [rawKey, value] of Object.entries(patch as Record<string, unknown>)) {
    const key = findKey(out, rawKey) ?? rawKey;
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
