import type { Command } from 'commander';
import type { Run } from '../command';

/** `whoami`: the API user, its associate id (echo detection), the tenant and the API base. */
export function registerWhoami(program: Command, run: Run): void {
  program
    .command('whoami')
    .description('show the SuperOffice API user, its associate id, the tenant and the API base')
    .action(
      run(async (ctx) => {
        const so = ctx.superOffice();
        const principal = await so.client.getCurrentPrincipal();
        const apiBase = await so.tenantUrl.apiBaseUrl();
        const result = {
          tenant: ctx.tenant,
          environment: so.settings.environment,
          apiBase,
          user: principal.UserName ?? null,
          fullName: principal.FullName ?? null,
          associateId: principal.AssociateId,
          configuredAssociateId: so.settings.ownAssociateId ?? null,
        };
        ctx.out.result(result, () =>
          [
            `tenant        ${result.tenant} (${result.environment})`,
            `API base      ${result.apiBase}`,
            `API user      ${result.user ?? '?'}${result.fullName ? ` (${result.fullName})` : ''}`,
            `associate id  ${result.associateId}`,
            ...(result.configuredAssociateId !== null &&
            result.configuredAssociateId !== result.associateId
              ? [
                  `warning       SO_OWN_ASSOCIATE_ID=${result.configuredAssociateId} is not the API user: the worker will not recognise its own echoes`,
                ]
              : []),
          ].join('\n'),
        );
        return undefined;
      }),
    );
}
