import { isUtf8 } from 'node:buffer';
import { webhookEventSchema, type WebhookEvent } from '@so-connector/queue';

/** Deeper JSON than this is refused before parsing: SuperOffice payloads are 3 levels deep. */
export const MAX_JSON_DEPTH = 32;

export type ParseResult =
  | { readonly ok: true; readonly event: WebhookEvent }
  | { readonly ok: false; readonly message: string };

/** Nesting depth of a JSON text, scanning outside strings; stops counting past `limit`. */
function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

export type DecodeResult =
  { readonly ok: true; readonly json: object } | { readonly ok: false; readonly message: string };

/**
 * Raw body bytes → a JSON object, or why not. Safe on unauthenticated bytes (the routes that take
 * the tenant from the body must read it before they can know whose secret to check): invalid
 * UTF-8 and deep nesting are refused before JSON.parse. Pure: no I/O.
 */
export function decodeJsonBody(rawBody: Buffer): DecodeResult {
  // JSON between systems is UTF-8 (RFC 8259 8.1). Decoding invalid bytes would silently turn them
  // into U+FFFD and queue altered data, so the body is refused instead.
  if (!isUtf8(rawBody)) return { ok: false, message: 'body is not valid UTF-8' };
  const text = rawBody.toString('utf8');
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    return { ok: false, message: `body is nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : '';
    return { ok: false, message: `body is not valid JSON${detail}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, message: 'body must be a JSON object' };
  }
  return { ok: true, json };
}

/** The tenant a decoded body names (its `ContextIdentifier`), if it names one as a string. */
export function contextIdentifierOf(decoded: DecodeResult): string | undefined {
  if (!decoded.ok) return undefined;
  const ctx = (decoded.json as { ContextIdentifier?: unknown }).ContextIdentifier;
  return typeof ctx === 'string' && ctx !== '' ? ctx : undefined;
}

/** A decoded body → a validated webhook event, or a message that names the offending field. */
export function validateWebhookEvent(decoded: DecodeResult): ParseResult {
  if (!decoded.ok) return decoded;
  const { json } = decoded;
  const result = webhookEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, message: 'body does not match the webhook payload schema' };
  const field = formatPath(issue.path);
  const missing = issue.code === 'invalid_type' && valueAt(json, issue.path) === undefined;
  return { ok: false, message: missing ? `${field} is required` : `${field}: ${issue.message}` };
}

/** Raw body bytes → a validated webhook event, or a message that names the offending field. */
export function parseWebhookEvent(rawBody: Buffer): ParseResult {
  return validateWebhookEvent(decodeJsonBody(rawBody));
}
