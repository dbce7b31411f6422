/**
 * The filter's rules. Defaults are DESIGN.md's ("Filters"), which keep the prototype's whitelist:
 * `Changes` holds database column names; `title` and `position_idx` are the person table's real
 * columns for job title and position, `jobtitle`/`position_id` are the prototype's names, kept.
 */
export interface FilterRules {
  /** Events that always lead to an enrichment. */
  readonly createEvents: readonly string[];
  /** Change events and the columns that make them relevant (compared case-insensitively). */
  readonly changeEvents: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_RULES: FilterRules = {
  createEvents: ['contact.created', 'person.created'],
  changeEvents: {
    'contact.changed': ['name', 'urladdress', 'urls', 'orgnr', 'userdef_id'],
    'person.changed': ['title', 'position_idx', 'jobtitle', 'position_id', 'userdef_id'],
  },
};

export interface RuleOverrides {
  /** Replaces the relevant columns of `contact.changed`. */
  readonly contactChangeColumns?: readonly string[] | undefined;
  /** Replaces the relevant columns of `person.changed`. */
  readonly personChangeColumns?: readonly string[] | undefined;
  /** Whether `*.created` events enrich (default true). */
  readonly enrichOnCreate?: boolean | undefined;
}

/** The default rules with a deployment's overrides applied. */
export function buildRules(overrides: RuleOverrides = {}): FilterRules {
  return {
    createEvents: overrides.enrichOnCreate === false ? [] : DEFAULT_RULES.createEvents,
    changeEvents: {
      'contact.changed':
        overrides.contactChangeColumns ?? DEFAULT_RULES.changeEvents['contact.changed']!,
      'person.changed':
        overrides.personChangeColumns ?? DEFAULT_RULES.changeEvents['person.changed']!,
    },
  };
}
