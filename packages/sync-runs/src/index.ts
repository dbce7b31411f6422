export { ENTRY_STATUSES, runFactSchema, type EntryStatus, type RunFact } from './entry';
export {
  clusterRuns,
  foldEntries,
  RUN_GAP_MS,
  runStatus,
  type RunEntry,
  type SyncRun,
} from './fold-run';
export { SyncRunStore, type RunQuery, type SyncRunStoreOptions } from './store';
export {
  ACTIVITY_KINDS,
  ActivityCounters,
  type ActivityBucket,
  type ActivityCountersOptions,
  type ActivityKind,
} from './activity';
export {
  WebhookHealthStore,
  webhookHealthSchema,
  type WebhookHealth,
  type WebhookStatus,
} from './webhook-health';
