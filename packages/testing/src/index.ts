export {
  useTestRedis,
  startRedisServer,
  type AclUser,
  type RedisProcess,
  type RedisServer,
  type RedisServerOptions,
  type TestRedis,
} from './redis';
export {
  parseClusterNodes,
  slotRanges,
  startRedisCluster,
  topologyPicture,
  type ClusterNodeView,
  type RedisClusterOptions,
  type TestRedisCluster,
} from './redis-cluster';
export {
  startRedisSentinel,
  type RedisSentinelOptions,
  type TestRedisSentinel,
} from './redis-sentinel';
export { askRedis } from './redis-process';
export { makeTestCertificates, type TestCertificates } from './tls-certificates';
export { freePort } from './free-port';
export { waitFor, type WaitForOptions } from './wait-for';
export { signWebhookBody } from './sign-webhook';
export {
  aContactChangedEvent,
  aTestEvent,
  aWebhookEvent,
  CONNECTOR_WEBHOOK_EVENTS,
  TEST_TENANT,
  type WebhookEventFixture,
} from './builders';
export {
  enrichingWorkerEnv,
  pendingJobsIn,
  settle,
  SIMULATED_UDF,
  superOfficeEnvFor,
  superOfficeSettingsFor,
  type SettleProbe,
} from './settle';
export { readFailoverTimings, recordFailoverTiming, type FailoverTiming } from './failover-timings';
