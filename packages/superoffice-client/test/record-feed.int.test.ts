import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeSettingsFor } from '@so-connector/testing';
import {
  allOf,
  createSuperOfficeClient,
  isEmpty,
  oneOf,
  queryContactRows,
  queryPersonRows,
  SuperOfficeError,
  udfColumn,
  updatedAfter,
} from '../src';

// The OData feeds against the simulator over real sockets; nothing is stubbed.
let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.01 });
});
afterEach(async () => {
  await sim.stop();
});

const SUMMARY = 'SuperOffice:84';

describe('queryContactRows / queryPersonRows', () => {
  it('answer what the enrichment reads of each record, in the entity shape, from one query', async () => {
    const sut = createSuperOfficeClient(superOfficeSettingsFor(sim));
    sim.editAs(5, 'contact', 3, {
      UserDefinedFields: {
        ...(sim.state.get('contact', 3)!.UserDefinedFields as object),
        [SUMMARY]: 'Cloud software',
      },
    });
    const rows = await queryContactRows(sut, {
      filter: updatedAfter('2000-01-01T00:00:00'),
      udfKeys: [SUMMARY],
      pageSize: 3,
    });
    expect(rows.map((r) => r.contactId)).toEqual([2, 3, 4, 5]);
    const full = sim.state.get('contact', 3)!;
    const row = rows.find((r) => r.contactId === 3)!;
    expect(row.updatedDate).toBe(full.UpdatedDate);
    expect(row.entity).toMatchObject({
      Name: full.Name,
      OrgNr: full.OrgNr,
      Description: full.Description,
      Domains: full.Domains,
      Country: { Name: (full.Country as { Name: string }).Name },
      Urls: [{ Value: (full.Urls as { Value: string }[])[0]!.Value }],
      UserDefinedFields: { [SUMMARY]: 'Cloud software' },
    });

    const persons = await queryPersonRows(sut, { filter: oneOf('personId', [12, 13]) });
    expect(persons.map((p) => [p.personId, p.contactId])).toEqual([
      [12, 2],
      [13, 3],
    ]);
    expect(persons[0]!.entity).toMatchObject({
      Title: 'Automation Engineer',
      Contact: { ContactId: 2 },
    });
  });

  it('narrows by ids, owner, and an empty UDF; a column the feed does not know is a 400', async () => {
    const sut = createSuperOfficeClient(superOfficeSettingsFor(sim));
    sim.editAs(5, 'contact', 4, {
      UserDefinedFields: {
        ...(sim.state.get('contact', 4)!.UserDefinedFields as object),
        [SUMMARY]: 'Already enriched',
      },
    });
    const ids = async (filter: string) =>
      (await queryContactRows(sut, { filter })).map((r) => r.contactId);
    expect(await ids(oneOf('contactId', [3, 5]))).toEqual([3, 5]);
    expect(await ids(oneOf('associateId', [5]))).toEqual([2, 4]);
    expect(
      await ids(allOf([oneOf('associateId', [5]), isEmpty(udfColumn('contact', SUMMARY))])),
    ).toEqual([2]);
    const failure = await sut
      .getRaw('/v1/Contact', {
        $select: 'contactId,noSuchColumn',
        $filter: oneOf('contactId', [2]),
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SuperOfficeError);
    expect(failure).toMatchObject({ status: 400 });
  });
});
