import { SuperOfficeClient } from '@so-connector/superoffice-client';
import type { CliContext } from '../context';
import { doctorExitCode, formatChecks } from '../doctor/checks';
import { EXIT } from '../errors';
import { inferredChecks } from './inferred-checks';

/** `verify <contactId> --inferred`: one PASS/FAIL per inferred choice; exits `failed` on a FAIL. */
export async function verifyInferred(
  ctx: CliContext,
  contactId: number,
  udf: string | undefined,
): Promise<number | undefined> {
  const so = ctx.superOffice();
  const udfs = ctx.config().udfs;
  const targets = udfs.ok ? udfs.value : undefined;
  // The worker's write path, whatever SO_UDF_WRITE_MODE says: JSON Patch is what is being checked.
  const client = new SuperOfficeClient({
    auth: so.auth,
    tenant: so.tenantUrl,
    udfWriteMode: 'json-patch',
  });
  ctx.out.progress(`exercising the inferred choices on contact ${contactId}`);
  const checks = await inferredChecks(client, {
    contactId,
    udfKey: udf ?? targets?.summary,
    listUdfKey: targets?.vertical,
  });
  ctx.out.result({ contactId, checks }, () => formatChecks(checks));
  return doctorExitCode(checks) === 0 ? undefined : EXIT.failed;
}
