export { ENTRY_STATUSES, runFactSchema, type EntryStatus, type RunFact } from './entry';
export {
  clusterRuns,
  foldEntries,
  RUN_GAP_MS,
  runStatus,
  type RunEntry,
  type SyncRun,
} from './fold-run';
export {
  SyncRunStore,
  type PreparedRunWrite,
  type RunQuery,
  type RunWrite,
  type RunWriter,
  type SyncRunStoreOptions,
} from './store';
export { GroupCommit } from './group-commit';
export type { StorePrefix } from './key-prefix';
export {
  execRunWrites,
  hashTag,
  SYNC_RUN_DEFAULTS,
  type CounterWrite,
  type MarkLaterWrite,
  type RunLimits,
  type SideWrite,
} from './run-writes';
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
