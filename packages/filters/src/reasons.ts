/** Why an event is skipped. Recorded on the sync run, counted in metrics; a closed vocabulary. */
export const SKIP_REASONS = {
  'test-event': 'the registration test event',
  'unsupported-entity': 'not a contact or person event',
  'record-deleted': 'the record was deleted',
  'unsupported-event': 'an event type the connector does not enrich on',
  echo: "the connector's own write coming back",
  'irrelevant-change': 'no field the enrichment reads changed',
  'out-of-scope': 'the account is owned by an associate outside SCOPE_OWNER_ASSOCIATES',
} as const;

export type SkipReason = keyof typeof SKIP_REASONS;

/** Why an event leads to an enrichment. */
export type EnrichReason = 'created' | 'relevant-change';
