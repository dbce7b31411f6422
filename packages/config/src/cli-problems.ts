import type { z } from 'zod';
import { environmentTenantOptional, SECRET_VARIABLES } from './schema';
import { workerEnvSchema, workerEnvSchemaWithoutTenant } from './worker-schema';

type Env = Readonly<Record<string, string | undefined>>;

/** One bad variable and what is wrong with it (the value itself is never included). */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** A tenant id that passes the tenant rule; see `crossFieldProblems`. */
const PLACEHOLDER_TENANT = 'Cust0';

export function problemsOf(issues: readonly z.core.$ZodIssue[], env: Env): ConfigProblem[] {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (seen.has(variable)) continue;
    seen.add(variable);
    out.push({ variable, message: `${issue.message}${describeValue(variable, env)}` });
  }
  return out;
}

function describeValue(variable: string, env: Env): string {
  if (SECRET_VARIABLES.has(variable)) return '';
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return '';
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return ` (got ${JSON.stringify(shown)})`;
}

/**
 * The worker schema's problems, with its cross-field rules (credentials required, provider
 * settings, at least one UDF key). zod skips an object's refinements after some field failures
 * (a missing required field, a word outside an enum), so the rules would stay silent until the
 * operator fixed the first problem. Hence: the tenant is pinned to a valid placeholder (its own
 * problems come from the base schema), and the schema runs again with each failed variable
 * unset, until no new variable fails.
 *
 * Without SO_CONTEXT_IDENTIFIER, with TENANTS_FILE or TENANT_SECRETS_KEY, the worker runs without
 * an environment tenant (loadWorkerConfig): its rules are then the ones without a tenant, so the
 * environment tenant's own variables (SO_REFRESH_TOKEN, SO_UDF_*) are not asked for, and the
 * placeholder is not pinned (SO_REFRESH_TOKEN set without the tenant is a problem there).
 */
export function crossFieldProblems(env: Env): ConfigProblem[] {
  const withoutTenant =
    (env.SO_CONTEXT_IDENTIFIER === undefined || env.SO_CONTEXT_IDENTIFIER.trim() === '') &&
    environmentTenantOptional(env);
  const schema = withoutTenant ? workerEnvSchemaWithoutTenant : workerEnvSchema;
  const found = new Map<string, ConfigProblem>();
  const probe: Record<string, string | undefined> = withoutTenant
    ? { ...env, SO_CONTEXT_IDENTIFIER: undefined }
    : { ...env, SO_CONTEXT_IDENTIFIER: PLACEHOLDER_TENANT };
  for (let pass = 0; pass < 3; pass++) {
    const result = schema.safeParse(probe);
    if (result.success) break;
    const fresh = problemsOf(result.error.issues, env).filter((p) => !found.has(p.variable));
    if (fresh.length === 0) break;
    for (const problem of fresh) {
      found.set(problem.variable, problem);
      probe[problem.variable] = undefined;
    }
  }
  return [...found.values()];
}
