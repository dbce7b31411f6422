export { DEFAULT_QUIET_EVENTS_PER_MINUTE, fairPriority, MAX_FLOOD_PRIORITY } from './fair-priority';
export { TenantRateTracker, type TenantRateOptions } from './tenant-rate';
export {
  BUDGET_WINDOW_MS,
  BudgetExceededError,
  retryWindow,
  TenantBudgets,
  type BudgetKind,
  type Reservation,
} from './tenant-budget';
