/**
 * Behaviour superoffice-api.md marks as inferred (not documented), kept in one place so it can be
 * changed after a check on a real tenant (superoffice-api.md section 10).
 */

/**
 * REST property → database column, for the `Changes` of a webhook event (documented: Changes are
 * column names; the mapping for foreign-key tables is inferred). A UDF write is reported as
 * `userdef_id`: the prototype's connector saw its own UDF PATCHes come back as whitelisted
 * changes (its "ping-pong"), so the simulator reproduces that.
 */
export const COLUMN_OF: Readonly<Record<'contact' | 'person', Readonly<Record<string, string>>>> = {
  contact: {
    name: 'name',
    orgnr: 'orgnr',
    department: 'department',
    urls: 'urls',
    domains: 'urls',
    description: 'text_id',
    business: 'business_idx',
    category: 'category_idx',
    country: 'country_id',
    associate: 'associate_id',
    userdefinedfields: 'userdef_id',
  },
  person: {
    firstname: 'firstname',
    middlename: 'middlename',
    lastname: 'lastname',
    title: 'title',
    position: 'position_idx',
    contact: 'contact_id',
    country: 'country_id',
    associate: 'associate_id',
    userdefinedfields: 'userdef_id',
  },
};

/** Columns every save of the row touches, so every API save raises an event (superoffice-api.md 2.3). */
export const ALWAYS_CHANGED: Readonly<Record<'contact' | 'person', readonly string[]>> = {
  contact: ['contact_id', 'updated_associate_id', 'updated', 'updatedCount'],
  person: ['person_id', 'updated_associate_id', 'updated', 'updatedCount'],
};

/** JSON Patch paths for UDFs: `/UserDefinedFields/{key}` (also accepted: `/CustomFields/{key}`). */
export const UDF_PATCH_ROOTS = ['userdefinedfields', 'customfields'] as const;

/** Re-activation: PATCH `/State` = `Active`, merge patch `{State}`, or PUT (superoffice-api.md 4.3). */
export const REACTIVATION_STATE = 'Active';

/**
 * PartnerSystemUser/Authenticate (superoffice-api.md 5.5): how far the signed time stamp
 * (`yyyyMMddHHmm`, UTC) may be from the tenant's clock. SuperOffice documents the
 * `InvalidTimestamp` error but not the window; ±5 minutes is the simulator's choice.
 */
export const SYSTEM_USER_TIMESTAMP_WINDOW_MINUTES = 5;

/**
 * A refused Authenticate call answers HTTP 200 with `IsSuccessful: false` and an `ErrorMessage`:
 * SuperOffice's samples read `IsSuccessful`; the HTTP status of a refusal is not documented.
 * A body that is not JSON gets 400.
 */
export const SYSTEM_USER_REFUSAL_STATUS = 200;
