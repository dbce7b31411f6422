export {
  ENRICH_JOB_NAMES,
  MAINTENANCE_JOB_NAMES,
  QUEUE_NAMES,
  type EnrichJobName,
  type MaintenanceJobName,
  type QueueName,
} from './catalog';
export {
  TEST_EVENT_NAME,
  backfillResultSchema,
  backfillSpecSchema,
  type BackfillResult,
  type BackfillSpec,
  enrichJobSchema,
  eventJobSchema,
  maintenanceJobSchema,
  reconcileResultSchema,
  type ReconcileResult,
  webhookEventSchema,
  type MaintenanceJobData,
  type EnrichJobData,
  type EventJobData,
  type WebhookEvent,
} from './payloads';
export { enrichDedupId, eventJobId } from './job-ids';
export { scanKeys } from './scan-keys';
export {
  DEFAULT_COMPLETED_EVENT_RETENTION,
  enrichJobOptions,
  eventJobOptions,
  jitterBackoff,
  type CompletedEventRetention,
} from './job-options';
export { eventAddOptions, eventSeenKeys } from './event-dedup';
export {
  closeRedis,
  createConnection,
  createRedisClusterConnection,
  createRedisConnection,
  inspectRedisDurability,
  type ConnectionOptions,
  type ConnectionRole,
  type RedisConnection,
  type RedisDurabilityReport,
} from './connection';
export {
  inspectRedisTopology,
  type ClusterReport,
  type RedisNodeReport,
  type RedisTopologyReport,
  type SentinelReport,
} from './inspect-topology';
export {
  diagnoseRedis,
  redisConnectionFix,
  redisProblem,
  reportUnusableRedis,
} from './redis-problem';
export {
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  JOB_EVENTS_STREAM_MAX_LEN,
} from './queues';
export {
  fnv1a32,
  parsePartitionLabel,
  partitionLabel,
  partitionOf,
  partitionPrefix,
  partitionPrefixes,
} from './partitions';
export {
  prefixOfTenant,
  tenantKeyPrefix,
  tenantOfKey,
  TENANT_KEY_KINDS,
  type TenantKeyPrefix,
  type TenantKeyPrefixOption,
} from './tenant-keys';
export { moveTenantKeys, readTenantKeyLayout, tenantKeyLayoutKey } from './move-tenant-keys';
export {
  alignTenantKeys,
  TENANT_KEY_LAYOUT_LEASE_MARK,
  tenantKeyMoveLockKey,
  type TenantKeyAlignment,
} from './tenant-key-layout';
export {
  checkPartitionCount,
  partitionCountKey,
  unfinishedInPartitions,
  type PartitionCountDecision,
} from './partition-count';
export {
  claimPartitionCount,
  partitionLeasesKey,
  releasePartitionLease,
  renewPartitionLease,
  type PartitionLeaseSpec,
} from './partition-lease';
export {
  decidePartitionCount,
  MAX_QUEUE_PARTITIONS,
  parseRecordedPartitions,
  partitionCountMismatch,
  strandedJobsMessage,
} from './partition-count-decision';
export {
  partitionCountProblem,
  watchPartitionCount,
  type PartitionCountWatch,
} from './partition-count-watch';
export {
  allPartitions,
  createDeploymentQueues,
  createEnrichQueues,
  createEventsQueues,
  createQueuePartitions,
  partitionOfJob,
  queueFor,
  queuePartitions,
  queuesNamed,
  type LabelledQueue,
  type PartitionedQueue,
  type QueuePartitions,
} from './partitioned-queues';
export { keySlot, masterServing } from './slot-owner';
export { SettlingCluster } from './settling-cluster';
export { MAX_COALESCED_CAUSES, mergeCauses, recordCause, takeCauses } from './coalesced-causes';
export { closeWhenReady, type ClosableBullmq } from './close-when-ready';
export {
  BACKFILL_PRIORITY,
  scheduleEnrichment,
  scheduleEnrichmentHeld,
  type EnrichmentRequest,
  type EnrichmentTiming,
  type ScheduledEnrichment,
} from './schedule-enrichment';
export {
  BackfillProgressStore,
  selectionOf,
  type BackfillOutcome,
  type BackfillOutcomes,
  type BackfillProgress,
  type BackfillRunView,
  type BackfillSelection,
} from './backfill-progress';
export {
  BUDGET_WINDOW_MS,
  BudgetExceededError,
  DEFAULT_QUIET_EVENTS_PER_MINUTE,
  fairPriority,
  MAX_FLOOD_PRIORITY,
  TenantBudgets,
  TenantRateTracker,
  type BudgetKind,
  type Reservation,
  type TenantRateOptions,
} from './fairness';
