import type { z } from 'zod';
import { SuperOfficeError } from './errors';
import type { RequestFn } from './request';

/**
 * The content type of a JSON Patch body. SuperOffice's documented PATCH requests send the JSON
 * Patch array as `application/json; charset=utf-8` (samples/rest/request/
 * v1ContactEntity_PatchContactEntity.md, v1PersonEntity_PatchPersonEntity.md,
 * v1Webhook_PatchWebhook.md); RFC 6902's own `application/json-patch+json` is the fallback for a
 * tenant that answers 415 to it.
 */
export const PATCH_CONTENT_TYPE = 'application/json; charset=utf-8';
export const PATCH_FALLBACK_CONTENT_TYPE = 'application/json-patch+json';

/** PATCH with a JSON Patch body as SuperOffice documents it; once more with RFC 6902's type on 415. */
export async function patchJson<S extends z.ZodType>(
  request: RequestFn,
  options: { readonly path: string; readonly body: readonly unknown[]; readonly schema: S },
): Promise<z.output<S>> {
  const send = (contentType: string) =>
    request({ method: 'PATCH', ...options, headers: { 'Content-Type': contentType } });
  try {
    return (await send(PATCH_CONTENT_TYPE)) as z.output<S>;
  } catch (error) {
    if (!(error instanceof SuperOfficeError) || error.status !== 415) throw error;
    return (await send(PATCH_FALLBACK_CONTENT_TYPE)) as z.output<S>;
  }
}
