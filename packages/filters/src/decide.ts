import type { WebhookEvent } from '@so-connector/queue';
import { fieldValueAsInt, ownerInScope, type OwnerScope } from './owner-scope';
import type { EnrichReason, SkipReason } from './reasons';
import { DEFAULT_RULES, type FilterRules } from './rules';

export interface DecisionContext {
  /** The connector's own associate id (from currentPrincipal or SO_OWN_ASSOCIATE_ID). */
  readonly ownAssociateId: number;
  /** SCOPE_OWNER_ASSOCIATES, when set. */
  readonly ownerScope?: OwnerScope | undefined;
}

export type Decision =
  | {
      readonly action: 'enrich-contact' | 'enrich-person';
      readonly reason: EnrichReason;
      readonly recordId: number;
      /** The relevant columns that changed (empty for created events). */
      readonly matched: readonly string[];
      /** The owner scope could not be decided from the payload: check it on the record. */
      readonly scopePending: boolean;
    }
  | { readonly action: 'skip'; readonly reason: SkipReason; readonly detail: string };

function skip(reason: SkipReason, detail: string): Decision {
  return { action: 'skip', reason, detail };
}

/**
 * Whether an event leads to an enrichment, and why (not). Pure: everything it needs is in the
 * event, the context and the rules. The order fixes which reason an event gets when several
 * apply: test → entity → deletion → event type → echo → changed columns → owner scope.
 */
export function decide(
  event: WebhookEvent,
  context: DecisionContext,
  rules: FilterRules = DEFAULT_RULES,
): Decision {
  const name = event.Event.toLowerCase();
  if (name === 'test') return skip('test-event', 'registration ping');
  const [entity, action = ''] = name.split('.', 2) as [string, string | undefined];
  if (entity !== 'contact' && entity !== 'person') return skip('unsupported-entity', event.Event);
  if (action === 'deleted' || action === 'softdeleted') return skip('record-deleted', event.Event);

  const isCreate = rules.createEvents.includes(name);
  const relevantColumns = rules.changeEvents[name];
  if (!isCreate && relevantColumns === undefined) return skip('unsupported-event', event.Event);

  if (event.ChangedByAssociateId === context.ownAssociateId) {
    return skip(
      'echo',
      `changed by associate ${event.ChangedByAssociateId}, the connector's API user`,
    );
  }

  let matched: string[] = [];
  if (!isCreate) {
    const wanted = new Set(relevantColumns!.map((c) => c.toLowerCase()));
    matched = event.Changes.filter((c) => wanted.has(c.toLowerCase()));
    if (matched.length === 0)
      return skip('irrelevant-change', `changed: ${event.Changes.join(', ') || '(nothing)'}`);
  }

  let scopePending = false;
  if (context.ownerScope) {
    const owner = fieldValueAsInt(event.FieldValues?.associate_id);
    const verdict = ownerInScope(context.ownerScope, { id: owner });
    if (verdict === 'out') return skip('out-of-scope', `owner associate ${owner}`);
    scopePending = verdict === 'unknown';
  }

  return {
    action: entity === 'contact' ? 'enrich-contact' : 'enrich-person',
    reason: isCreate ? 'created' : 'relevant-change',
    recordId: event.PrimaryKey,
    matched,
    scopePending,
  };
}
