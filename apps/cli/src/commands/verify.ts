import type { Command } from 'commander';
import { tenantKeyPrefix } from '@so-connector/queue';
import { SuperOfficeError } from '@so-connector/superoffice-client';
import { SyncRunStore } from '@so-connector/sync-runs';
import { argsOf, positiveId, type Run } from '../command';
import { EXIT } from '../errors';
import { formatTable } from '../format/table';
import { compareWrites, latestWrites, recordKey } from '../verify/compare-writes';
import { verifyInferred } from '../verify/verify-inferred';

/** `verify <contactId>`: the connector's last writes (sync-run log) against SuperOffice's raw record now. */
export function registerVerify(program: Command, run: Run): void {
  program
    .command('verify')
    .description(
      'compare what the connector last wrote to a company (and its persons) with what SuperOffice holds now',
    )
    .argument('<contactId>', 'the company (Contact) id')
    .option(
      '--inferred',
      'on a sandbox tenant: exercise each choice SuperOffice does not document (UDF PATCH path, JSON Patch, flat lists, zone-less dates) on this company once; writes and restores one text UDF',
    )
    .option('--udf <key>', 'with --inferred: the text UDF to probe (default SO_UDF_SUMMARY)')
    .action(
      run(async (ctx, command) => {
        const contactId = positiveId(argsOf(command)[0] ?? '', 'contact id');
        const opts = command.opts<{ inferred?: boolean; udf?: string }>();
        if (opts.inferred) return verifyInferred(ctx, contactId, opts.udf);
        const client = ctx.superOffice().client;
        const store = new SyncRunStore({
          redis: await ctx.redis(),
          prefix: tenantKeyPrefix(ctx.config().queue.prefix, ctx.config().queue.partitions),
        });
        const writes = latestWrites(await store.factsForAccount(ctx.tenant, contactId));
        const records = new Map<string, Record<string, unknown> | null>();
        for (const w of writes) {
          const key = recordKey(w.entity, w.recordId);
          if (records.has(key)) continue;
          ctx.out.progress(`reading ${w.entity} ${w.recordId}`);
          try {
            // Raw, not through the typed schema: verify shows exactly what SuperOffice holds.
            const raw = await client.getRaw(
              `/v1/${w.entity === 'contact' ? 'Contact' : 'Person'}/${w.recordId}`,
            );
            records.set(
              key,
              raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {},
            );
          } catch (error) {
            if (error instanceof SuperOfficeError && error.kind === 'not-found')
              records.set(key, null);
            else throw error;
          }
        }
        const fields = compareWrites(writes, records);
        const differences = fields.filter((f) => f.status !== 'match').length;
        ctx.out.result({ contactId, fields, differences }, () => {
          if (fields.length === 0)
            return `nothing written to contact ${contactId} or its persons in the sync-run log (facts are kept 14 days)`;
          return [
            formatTable(fields, [
              { header: 'RECORD', value: (f) => `${f.entity} ${f.recordId}` },
              { header: 'FIELD', value: (f) => f.key },
              { header: 'STATUS', value: (f) => f.status.toUpperCase() },
              { header: 'WRITTEN', value: (f) => f.written, maxWidth: 40 },
              {
                header: 'NOW',
                value: (f) =>
                  f.currentDisplay ? `${f.current ?? ''} (${f.currentDisplay})` : f.current,
                maxWidth: 40,
              },
              { header: 'WRITTEN AT', value: (f) => f.at },
            ]),
            '',
            differences === 0
              ? 'every field holds what the connector wrote'
              : `${differences} field(s) differ: changed by someone else since, or the write did not land (check with so-connector raw GET /v1/Contact/${contactId})`,
          ].join('\n');
        });
        return differences === 0 ? undefined : EXIT.failed;
      }),
    );
}
