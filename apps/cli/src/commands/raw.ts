import type { Command } from 'commander';
import { UsageError, type Run } from '../command';

/** Splits `/v1/Contact?$top=1` into a path and its query parameters. */
export function splitPathAndQuery(input: string): { path: string; query: Record<string, string> } {
  const at = input.indexOf('?');
  if (at < 0) return { path: input, query: {} };
  return {
    path: input.slice(0, at),
    query: Object.fromEntries(new URLSearchParams(input.slice(at + 1))),
  };
}

/** `raw GET <path>`: SuperOffice's JSON as it is, to check before blaming the vendor. */
export function registerRaw(program: Command, run: Run): void {
  program
    .command('raw')
    .description(
      "print SuperOffice's raw JSON for a GET below the API base, e.g. raw GET /v1/Contact/42",
    )
    .argument('<method>', 'GET (the only method: raw never changes anything)')
    .argument('<path>', 'path below the API base, e.g. /v1/Contact/42 or v1/Person/7?fk=true')
    .action(
      run(async (ctx, command) => {
        const [method = '', input = ''] = command.args;
        if (method.toUpperCase() !== 'GET')
          throw new UsageError(
            `raw only sends GET (got ${method}): it must never change the tenant`,
          );
        if (/^https?:\/\//i.test(input))
          throw new UsageError('give the path below the API base (e.g. /v1/Contact/42), not a URL');
        const { path, query } = splitPathAndQuery(input);
        const body = await ctx
          .superOffice()
          .client.getRaw(path, Object.keys(query).length ? query : undefined);
        // Both modes print the JSON document: that is what `raw` is for.
        ctx.out.result(body, () => JSON.stringify(body, null, 2));
        return undefined;
      }),
    );
}
