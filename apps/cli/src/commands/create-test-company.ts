import type { Command } from 'commander';
import type { Run } from '../command';

/** `create-test-company`: a Contact created through the API, to watch one enrichment end to end. */
export function registerCreateTestCompany(program: Command, run: Run): void {
  program
    .command('create-test-company')
    .description('create a company (Contact) through the API, to watch the connector enrich it')
    .option('--name <name>', 'company name', undefined)
    .option('--url <url>', 'its web address (the builtin provider reads the domain)')
    .action(
      run(async (ctx, command) => {
        const opts = command.opts<{ name?: string; url?: string }>();
        const name =
          opts.name?.trim() || `so-connector test company ${new Date().toISOString().slice(0, 16)}`;
        const created = await ctx.superOffice().client.createContact({
          Name: name,
          ...(opts.url ? { Urls: [{ Value: opts.url, Description: '' }] } : {}),
        });
        const result = { contactId: created.ContactId, name: created.Name ?? name };
        ctx.out.result(
          result,
          () =>
            `created contact ${result.contactId} "${result.name}"\nfollow it: so-connector verify ${result.contactId}`,
        );
        return undefined;
      }),
    );
}
