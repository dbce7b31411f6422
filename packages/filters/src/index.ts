export { decide, type Decision, type DecisionContext } from './decide';
export { buildRules, DEFAULT_RULES, type FilterRules, type RuleOverrides } from './rules';
export {
  fieldValueAsInt,
  ownerInScope,
  parseOwnerScope,
  type OwnerScope,
  type ScopeVerdict,
} from './owner-scope';
export { SKIP_REASONS, type EnrichReason, type SkipReason } from './reasons';
