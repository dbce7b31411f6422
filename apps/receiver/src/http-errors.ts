/**
 * Every way the webhook route can refuse a delivery, and its HTTP status: one table, so a new kind
 * cannot be added without choosing its status. Bodies carry a message, never internals.
 */
export const REJECTION_STATUS = {
  unauthorized: 401,
  bad_request: 400,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  internal: 500,
} as const;

export type RejectionKind = keyof typeof REJECTION_STATUS;

export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  constructor(
    readonly kind: RejectionKind,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return REJECTION_STATUS[this.kind];
  }

  toBody(): { error: RejectionKind; message: string } {
    return { error: this.kind, message: this.message };
  }
}
