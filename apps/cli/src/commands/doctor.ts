import type { Command } from 'commander';
import { inspectCliConfig } from '@so-connector/config';
import { inspectRedisTopology } from '@so-connector/queue';
import type { Run } from '../command';
import type { CliContext } from '../context';
import {
  configChecks,
  doctorExitCode,
  formatChecks,
  skip,
  type CheckResult,
} from '../doctor/checks';
import { redisTopologyChecks } from '../doctor/redis-checks';
import { registeredTenantChecks } from '../doctor/registry-checks';
import {
  attempt,
  providerCheck,
  superOfficeChecks,
  type DoctorOptions,
} from '../doctor/superoffice-checks';
import { tenantChecks } from '../doctor/tenant-checks';

async function doctor(ctx: CliContext, opts: DoctorOptions): Promise<number> {
  const results: CheckResult[] = [];
  const inspected = inspectCliConfig(ctx.io.env);
  results.push(...configChecks(inspected.problems));
  // With --tenant (or the only registered tenant), that tenant's settings are checked.
  const selected = ctx.selectedTenant;
  const config = inspected.config && selected ? ctx.config() : inspected.config;
  if (selected) results.push(...tenantChecks(selected, ctx.config()));
  if (!config) {
    results.push(
      skip(
        'redis',
        'a REDIS_* variable, QUEUE_PREFIX or SO_CONTEXT_IDENTIFIER is invalid (see config)',
      ),
    );
  } else {
    ctx.out.progress('checking Redis');
    // Every data node of the topology (single node, Sentinel, Cluster), each on a connection of its own.
    await attempt(results, 'redis', 'check the REDIS_* settings and that Redis runs', async () =>
      redisTopologyChecks(await inspectRedisTopology(config.redis, { timeoutMs: 3000 })),
    );
    if (config.tenant === undefined) {
      // No environment tenant and no single tenant chosen: each registered tenant, as the worker serves it.
      results.push(...(await registeredTenantChecks(ctx, config, opts)));
    } else {
      if (config.superoffice.ok) {
        ctx.out.progress('checking SuperOffice');
        await superOfficeChecks(
          { config, contextIdentifier: ctx.tenant, superOffice: () => ctx.superOffice() },
          results,
          opts,
        );
      } else results.push(skip('superoffice', 'SuperOffice settings are invalid (see config)'));
      ctx.out.progress('checking the enrichment provider');
      await providerCheck(config.enrichment, results);
    }
  }
  const exitCode = doctorExitCode(results);
  ctx.out.result({ ok: exitCode === 0, checks: results }, () => formatChecks(results));
  return exitCode;
}

/** `doctor`: every check an installation needs, each with PASS/WARN/FAIL and the fix. */
export function registerDoctor(program: Command, run: Run): void {
  program
    .command('doctor')
    .description(
      'check configuration, Redis (every node), SuperOffice access, UDFs, the webhook and the provider (every registered tenant without SO_CONTEXT_IDENTIFIER or --tenant)',
    )
    .option(
      '--contact <id>',
      'read this Contact for the schema check (default: the first one found)',
    )
    .option('--person <id>', 'read this Person for the schema check (default: the first one found)')
    .action(run((ctx, command) => doctor(ctx, command.opts<DoctorOptions>())));
}
