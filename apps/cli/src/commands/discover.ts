import type { Command } from 'commander';
import type { SuperOfficeClient, UdfOwner } from '@so-connector/superoffice-client';
import type { Run } from '../command';
import { isRefusal } from '../errors';
import { formatTable } from '../format/table';
import { describeUdf, suggestUdfLines, udfKind, type DiscoveredUdf } from '../udf-kinds';

/** Every published Contact and Person UDF, with the items of the lists behind list fields. */
export async function discoverUdfs(
  client: SuperOfficeClient,
  progress: (message: string) => void,
): Promise<DiscoveredUdf[]> {
  const out: DiscoveredUdf[] = [];
  for (const owner of ['Contact', 'Person'] as const satisfies readonly UdfOwner[]) {
    progress(`reading the published ${owner} UDF layout`);
    for (const definition of await client.getPublishedUdfLayout(owner)) {
      const listName = definition.MdoListName;
      let items: { id: number; name: string }[] | null = null;
      let listError: string | null = null;
      if (listName && udfKind(definition) === 'list') {
        progress(`reading list ${listName}`);
        try {
          items = (await client.getMdoListItems(listName))
            .filter((item) => !item.Deleted)
            .map((item) => ({ id: item.Id, name: item.Name }));
        } catch (error) {
          // One unreadable list (the live tenant's udlist331 answered 404) must not hide the rest.
          if (!isRefusal(error)) throw error;
          listError = `GET /v1/MDOList/${listName} answered HTTP ${error.status ?? '?'} (so-connector doctor names the fix)`;
        }
      }
      const described = describeUdf(owner, definition, items);
      if (described) out.push(listError ? { ...described, listError } : described);
    }
  }
  return out;
}

/** `discover`: the UDFs, their keys, types and list items, and the SO_UDF_* lines to use. */
export function registerDiscover(program: Command, run: Run): void {
  program
    .command('discover')
    .description(
      'list every Contact and Person UDF (key, type, list and list items) and suggest the SO_UDF_* lines',
    )
    .action(
      run(async (ctx) => {
        const udfs = await discoverUdfs(ctx.superOffice().client, (m) => ctx.out.progress(m));
        const suggestions = suggestUdfLines(udfs);
        ctx.out.result({ udfs, suggestions }, () => {
          const table = formatTable(udfs, [
            { header: 'OWNER', value: (u) => u.owner },
            { header: 'KEY', value: (u) => u.key },
            { header: 'LABEL', value: (u) => u.label, maxWidth: 30 },
            { header: 'TYPE', value: (u) => `${u.fieldType ?? '?'} (${u.kind})` },
            { header: 'LENGTH', value: (u) => u.textLength || '' },
            { header: 'LIST', value: (u) => u.listName ?? '' },
          ]);
          const unreadable = udfs
            .filter((u) => u.listError)
            .map((u) => `${u.owner} ${u.key} → list ${u.listName ?? '?'}: ${u.listError!}`);
          const lists = udfs
            .filter((u) => u.listItems)
            .map(
              (u) =>
                `${u.owner} ${u.key} → list ${u.listName ?? '?'} (${u.listItems!.length} items):\n${u.listItems!.map((i) => `  [I:${i.id}]  ${i.name}`).join('\n')}`,
            );
          return [
            table,
            '',
            ...lists.flatMap((l) => [l, '']),
            ...unreadable.flatMap((l) => [l, '']),
            'Suggested configuration (check before use):',
            ...suggestions,
          ].join('\n');
        });
        return undefined;
      }),
    );
}
