/** A read-only map of environment variables, passed in by the app (packages never read process.env). */
export type EnvMap = Readonly<Record<string, string | undefined>>;

/** A path into a parsed document, as zod reports paths: keys and list indexes. */
export type DocPath = readonly (string | number)[];

/** One `env:NAME` reference that could not be resolved. */
export interface EnvRefProblem {
  readonly path: DocPath;
  readonly message: string;
}

const ENV_PREFIX = 'env:';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces every string `env:NAME` in a parsed YAML/JSON document by the value of NAME in `env`.
 * An unset or blank variable, or a malformed name, is a problem at that path (the value is left as
 * it was, so validation goes on and reports every problem at once). Values are never echoed.
 */
export function resolveEnvRefs(
  document: unknown,
  env: EnvMap,
): { value: unknown; problems: EnvRefProblem[] } {
  const problems: EnvRefProblem[] = [];
  const walk = (node: unknown, path: DocPath): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith(ENV_PREFIX)) return node;
      const name = node.slice(ENV_PREFIX.length);
      if (!NAME.test(name)) {
        problems.push({ path, message: `"env:" must be followed by a variable name` });
        return node;
      }
      const resolved = env[name];
      if (resolved === undefined || resolved.trim() === '') {
        problems.push({ path, message: `refers to env:${name}, which is not set` });
        return node;
      }
      return resolved;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]),
      );
    }
    return node;
  };
  return { value: walk(document, []), problems };
}
