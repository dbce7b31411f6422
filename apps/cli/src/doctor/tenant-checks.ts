import type { CliConfig } from '@so-connector/config';
import type { SelectedTenant } from '../context';
import { fail, pass, type CheckResult } from './check-result';

const FROM = { environment: 'the environment', file: 'TENANTS_FILE', store: 'the tenant store' };

/** The tenant `--tenant` chose: where it comes from, and whether the CLI can call SuperOffice as it. */
export function tenantChecks(selected: SelectedTenant, config: CliConfig): CheckResult[] {
  const { contextIdentifier } = selected.tenant;
  const results = [pass('tenant', `${contextIdentifier} from ${FROM[selected.source]}`)];
  if (!config.superoffice.ok)
    for (const problem of config.superoffice.problems)
      results.push(
        fail(
          'tenant',
          `${problem.variable} ${problem.message}`,
          selected.source === 'file'
            ? 'fix the tenant in TENANTS_FILE'
            : 'fix it with so-connector tenants add --replace, or set SO_CLIENT_ID and SO_CLIENT_SECRET',
        ),
      );
  return results;
}
