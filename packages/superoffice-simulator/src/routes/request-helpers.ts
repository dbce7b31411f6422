import type { Request, Response } from 'express';
import { sendError } from '../errors';

/** A string field of a loosely typed input, or the fallback. */
export const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' ? value : fallback;

/** True (415 sent) when a PATCH body's media type is not one the tenant accepts (`faults.patchContentTypes`). */
export function patchTypeRefused(
  req: Request,
  res: Response,
  accepted: readonly string[],
): boolean {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (accepted.includes(type)) return false;
  sendError(
    res,
    415,
    'UnsupportedMediaType',
    `PATCH takes ${accepted.join(' or ')}, not ${type || 'no content type'}`,
  );
  return true;
}
