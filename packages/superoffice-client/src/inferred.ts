/**
 * What the client does where SuperOffice's documentation is silent, kept in one place
 * (docs/superoffice.md, "Inferred choices"). `so-connector verify <contactId> --inferred` exercises
 * each once on a real tenant and reports PASS/FAIL, so a sandbox tenant settles them in one command.
 */
export const INFERRED = {
  /**
   * The JSON Pointer root of a UDF in a PATCH: `/UserDefinedFields/{key}` (superoffice-api.md 6.2;
   * `UserDefinedFields` is the dictionary the entity returns; `/CustomFields/{key}` is the other
   * candidate).
   */
  udfPatchRoot: '/UserDefinedFields',
  /**
   * UDF writes as a JSON Patch array (RFC 6902, with a `test` on UpdatedDate), not a merge patch:
   * the PATCH reference documents both, its request samples show only the array.
   */
  udfPatchFormat: 'json-patch',
  /** `flat=true` on `MDOList/{name}` for a plain list of items (the MDO endpoints' option; not shown for MDOList). */
  mdoListQuery: { flat: 'true' },
  /** A date-time without a zone (`2025-02-26T14:28:26`) is UTC (no zone is documented for it). */
  zonelessDatesAreUtc: true,
} as const;
