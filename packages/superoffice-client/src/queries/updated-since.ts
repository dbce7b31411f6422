import { z } from 'zod';
import type { RequestFn } from '../http/request';

/**
 * Ids (`key`) of records updated after `since` (ISO), with `extra` columns: an OData feed ordered by
 * the primary key and paged, as SuperOffice's performance rules ask (superoffice-api.md 6.7).
 */
export async function fetchUpdatedSince<K extends string>(
  request: RequestFn,
  entity: 'Contact' | 'Person',
  key: K,
  since: string,
  pageSize: number,
  extra: readonly string[] = [],
) {
  const page = z.object({
    value: z.array(
      z.looseObject({ [key]: z.number(), updatedDate: z.string().nullish() } as {
        [P in K]: z.ZodNumber;
      } & { updatedDate: z.ZodOptional<z.ZodNullable<z.ZodString>> }),
    ),
  });
  const out: z.output<typeof page>['value'] = [];
  for (let skip = 0; ; skip += pageSize) {
    const result = await request({
      method: 'GET',
      path: `/v1/${entity}`,
      query: {
        $select: [key, ...extra, 'updatedDate'].join(','),
        $filter: `updatedDate afterTime '${since}'`,
        $orderby: key,
        $top: pageSize,
        $skip: skip,
      },
      schema: page,
    });
    out.push(...result.value);
    if (result.value.length < pageSize) return out;
  }
}
