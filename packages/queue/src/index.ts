export { QUEUE_NAMES, type QueueName } from './catalog';
export {
  TEST_EVENT_NAME,
  eventJobSchema,
  webhookEventSchema,
  type EventJobData,
  type WebhookEvent,
} from './payloads';
export { eventJobId } from './job-ids';
export { eventJobOptions } from './job-options';
export {
  createRedisConnection,
  inspectRedisDurability,
  type ConnectionOptions,
  type ConnectionRole,
  type RedisDurabilityReport,
} from './connection';
export { createEventsQueue } from './queues';
