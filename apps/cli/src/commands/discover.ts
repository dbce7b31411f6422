import type { Command } from 'commander';
import type { SuperOfficeClient, UdfOwner } from '@so-connector/superoffice-client';
import type { Run } from '../command';
import { formatTable } from '../format/table';
import { describeUdf, suggestUdfLines, type DiscoveredUdf } from '../udf-kinds';

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
      if (listName) {
        progress(`reading list ${listName}`);
        items = (await client.getMdoListItems(listName))
          .filter((item) => !item.Deleted)
          .map((item) => ({ id: item.Id, name: item.Name }));
      }
      const described = describeUdf(owner, definition, items);
      if (described) out.push(described);
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
            'Suggested configuration (check before use):',
            ...suggestions,
          ].join('\n');
        });
        return undefined;
      }),
    );
}
