export {
  startSimulator,
  DEFAULT_CLIENT,
  type RunningSimulator,
  type SimulatorOptions,
} from './server';
export { loadSeed, tenantSeedSchema, type TenantSeed } from './seed';
export { TenantState } from './tenant-state';
export type { ChangeEvent, DateForm, Entity, EntityKind } from './tenant-types';
export {
  MAX_CONSECUTIVE_ERRORS,
  RETRY_DELAYS_MS,
  type DeliveryRecord,
  type SimWebhook,
} from './dispatch';
export { CallCounters } from './counters';
export {
  parseTimestamp,
  SystemUserState,
  TICKET_CLAIM,
  type SystemUserRefusal,
  type SystemUserSettings,
} from './system-user';
export { signBody } from './sign';
export { seededRandom, type FaultSettings } from './faults';
export { applyJsonPatch, applyMergePatch, PatchError } from './json-patch';
export { AuthorizationServer, CODE_LIFETIME_MS, type IdTokenFault } from './authorization-code';
