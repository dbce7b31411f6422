import { parse, YAMLError } from 'yaml';
import type { z } from 'zod';
import { resolveEnvRefs, type DocPath, type EnvMap } from './env-ref';
import { TenantDefinitionError, TenantsFileError, type TenantIssue } from './errors';
import {
  CONTEXT_IDENTIFIER,
  fileTenantToConfig,
  tenantsFileSchema,
  type TenantDefaults,
} from './schema';
import type { TenantConfig } from './tenant-config';

export interface ParseTenantsFileOptions {
  /** The file's path, named in errors. */
  readonly path: string;
  /** Variables `env:NAME` values are read from. */
  readonly env: EnvMap;
  readonly defaults?: TenantDefaults;
}

/** `udf.vertical`, `webhookSecrets[1]`. */
function formatKey(path: DocPath): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** The tenant named by its contextIdentifier when it has a valid one, else by its list index. */
function tenantLabel(document: unknown, index: number): string {
  const tenants = (document as { tenants?: unknown } | null)?.tenants;
  const tenant: unknown = Array.isArray(tenants) ? tenants[index] : undefined;
  const ctx = (tenant as { contextIdentifier?: unknown } | null)?.contextIdentifier;
  return typeof ctx === 'string' && CONTEXT_IDENTIFIER.test(ctx.trim())
    ? ctx.trim()
    : `tenants[${index}]`;
}

function toIssue(document: unknown, path: DocPath, message: string): TenantIssue {
  if (path[0] === 'tenants' && typeof path[1] === 'number') {
    return { tenant: tenantLabel(document, path[1]), key: formatKey(path.slice(2)), message };
  }
  return { tenant: undefined, key: formatKey(path), message };
}

function zodIssues(document: unknown, error: z.ZodError): TenantIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) =>
          toIssue(document, [...(issue.path as DocPath), key], 'is not a known key'),
        )
      : [toIssue(document, issue.path as DocPath, issue.message)],
  );
}

function describeIssue({ tenant, key, message }: TenantIssue): string {
  const where = [tenant === undefined ? undefined : `tenant ${tenant}`, key ? `key ${key}` : '']
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${message}` : message;
}

type Fail = (issues: readonly TenantIssue[], detail: string) => Error;

/** YAML 1.2 (which reads JSON too); a syntax error gives only its position, never the line. */
function parseYaml(text: string, fail: Fail): unknown {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof YAMLError)) {
      // e.g. the parser's guard against alias bombs; its message is not shown either.
      const name = error instanceof Error ? error.name : 'error';
      throw fail([], `could not be parsed (${name})`);
    }
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    throw fail([], `not valid YAML or JSON${where} (${error.code})`);
  }
}

/** `env:` references resolved, then the file schema; every problem named at once. */
function tenantsOf(
  document: unknown,
  env: EnvMap,
  defaults: TenantDefaults,
  fail: Fail,
): TenantConfig[] {
  const { value, problems } = resolveEnvRefs(document, env);
  const issues = problems.map((p) => toIssue(document, p.path, p.message));
  const result = tenantsFileSchema.safeParse(value);
  if (!result.success) {
    const seen = new Set(issues.map((i) => `${i.tenant}|${i.key}`));
    for (const issue of zodIssues(document, result.error)) {
      if (!seen.has(`${issue.tenant}|${issue.key}`)) issues.push(issue);
    }
  }
  if (issues.length > 0 || !result.success) {
    throw fail(issues, issues.map(describeIssue).join('; '));
  }
  return result.data.tenants.map((tenant) => fileTenantToConfig(tenant, defaults));
}

/**
 * Parses TENANTS_FILE (YAML or JSON: YAML 1.2 reads both) into tenants.
 * @throws TenantsFileError with one line naming each bad tenant and key; values are never shown
 *   (a YAML syntax error gives only its position, since the parser's own message quotes the line).
 */
export function parseTenantsFile(text: string, options: ParseTenantsFileOptions): TenantConfig[] {
  const fail: Fail = (issues, detail) => new TenantsFileError(options.path, issues, detail);
  return tenantsOf(parseYaml(text, fail), options.env, options.defaults ?? {}, fail);
}

export interface ParseTenantDefinitionOptions {
  /** Where the definition comes from, named in errors (a file's path, `the command line`). */
  readonly source: string;
  /** Variables `env:NAME` values are read from. */
  readonly env: EnvMap;
  readonly defaults?: TenantDefaults;
}

/**
 * The YAML or JSON text of one tenant definition as a plain document, unchecked (so a caller can
 * fill in what it generates, e.g. a fresh webhook secret, before `parseTenantDefinition`).
 * @throws TenantDefinitionError for a syntax error, giving only its position.
 */
export function parseTenantDocument(text: string, source: string): unknown {
  return parseYaml(text, (issues, detail) => new TenantDefinitionError(source, issues, detail));
}

/**
 * One tenant written as a TENANTS_FILE entry, checked by the same schema (so an operator can add
 * to the store what the file would accept): YAML or JSON text of the entry's mapping, or the
 * mapping itself (e.g. built from command-line flags). `env:NAME` values are resolved.
 * @throws TenantDefinitionError naming each bad key, never a value.
 */
export function parseTenantDefinition(
  input: string | Readonly<Record<string, unknown>>,
  options: ParseTenantDefinitionOptions,
): TenantConfig {
  const fail: Fail = (issues, detail) => new TenantDefinitionError(options.source, issues, detail);
  const entry = typeof input === 'string' ? parseYaml(input, fail) : input;
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw fail([], 'expected one tenant: a mapping of tenant keys');
  }
  const [tenant] = tenantsOf({ tenants: [entry] }, options.env, options.defaults ?? {}, fail);
  return tenant!;
}
