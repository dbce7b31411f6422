import type { TenantSourceName } from '@so-connector/tenants';

/**
 * The secrets after a rotation starts: the fresh one first (SuperOffice signs with it once the
 * webhook has it), the current one second (it keeps verifying until then). A rotation already
 * under way drops its oldest secret.
 */
export function startRotation(current: readonly string[], fresh: string): string[] {
  return current.length === 0 ? [fresh] : [fresh, current[0]!];
}

/** The secrets after a rotation ends: the current one alone; undefined when there is nothing to end. */
export function finishRotation(current: readonly string[]): string[] | undefined {
  return current.length > 1 ? [current[0]!] : undefined;
}

/**
 * Why a tenant cannot be changed in the store, naming where it is defined; undefined when the
 * store's definition is the one in force (or there is none).
 */
export function notStoredReason(
  contextIdentifier: string,
  source: TenantSourceName | undefined,
  shadows: readonly TenantSourceName[],
  tenantsFile: string | undefined,
): string | undefined {
  const storedCopy = shadows.includes('store') ? '; its stored copy is ignored meanwhile' : '';
  if (source === 'environment')
    return `tenant ${contextIdentifier} is defined by the environment (SO_CONTEXT_IDENTIFIER, WEBHOOK_SECRET, SO_REFRESH_TOKEN, …): change those variables instead${storedCopy}`;
  if (source === 'file')
    return `tenant ${contextIdentifier} is defined in TENANTS_FILE ${tenantsFile ?? ''}: edit that file instead${storedCopy}`;
  return undefined;
}
