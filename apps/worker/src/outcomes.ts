/** What a processor returns (stored as the job's return value, shown in Bull Board). A skip is a value, not an exception. */
export type EventOutcome =
  | { readonly outcome: 'scheduled'; readonly job: string; readonly matched: readonly string[] }
  | { readonly outcome: 'skipped'; readonly reason: string; readonly detail: string };

export type EnrichOutcome =
  | {
      readonly outcome: 'written';
      readonly fields: readonly string[];
      readonly providerCalled: boolean;
    }
  | { readonly outcome: 'unchanged'; readonly providerCalled: boolean }
  | { readonly outcome: 'skipped'; readonly reason: string; readonly detail: string };
