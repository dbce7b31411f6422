import { waitFor } from '@so-connector/testing';
import {
  startSimulator,
  type DateForm,
  type RunningSimulator,
} from '@so-connector/superoffice-simulator';
import { SuperOfficeError, type CallRecord, type UdfWriteMode } from '../src';
import { clientOf } from './sim-client';

// How the client writes, against the simulator over real sockets: the PATCH content type
// SuperOffice documents (with RFC 6902's as the fallback on 415) and get-put's If-Unmodified-Since
// from UpdatedDate in both of SuperOffice's date forms.
let sim: RunningSimulator;
afterEach(async () => {
  await sim.stop();
});

async function clientFor(dateForm: DateForm, writeMode: UdfWriteMode = 'json-patch') {
  sim = await startSimulator({ dateForm });
  const calls: CallRecord[] = [];
  return { client: clientOf(sim, { resolve: 'fixed', writeMode, calls }), calls };
}

const patches = (calls: CallRecord[]) =>
  calls.filter((c) => c.method === 'PATCH').map((c) => c.status);

describe('PATCH content type', () => {
  it('sends application/json as SuperOffice documents, which the simulator accepts at once', async () => {
    const { client, calls } = await clientFor('zoneless');
    await client.patchContactUdfs(2, { 'SuperOffice:84': 'x' });
    expect(patches(calls)).toEqual([200]);
  });

  it('falls back to application/json-patch+json once on 415', async () => {
    const { client, calls } = await clientFor('zoneless');
    sim.faults.patchContentTypes = ['application/json-patch+json'];
    const saved = await client.patchContactUdfs(2, { 'SuperOffice:84': 'fallback' });
    expect(saved.UserDefinedFields?.['SuperOffice:84']).toBe('fallback');
    expect(patches(calls)).toEqual([415, 200]);
  });

  it('reports a 415 on both types as a permanent error, after exactly two tries', async () => {
    const { client, calls } = await clientFor('zoneless');
    sim.faults.patchContentTypes = ['application/merge-patch+json'];
    const error = await client
      .patchContactUdfs(2, { 'SuperOffice:84': 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuperOfficeError);
    expect(error).toMatchObject({ status: 415, kind: 'permanent' });
    expect(patches(calls)).toEqual([415, 415]);
  });
});

describe('get-put If-Unmodified-Since', () => {
  it.each<DateForm>(['zoneless', 'offset'])(
    'writes when nobody saved in between (UpdatedDate %s)',
    async (form) => {
      const { client } = await clientFor(form, 'get-put');
      expect((await client.getContact(2)).UpdatedDate).toMatch(
        form === 'offset' ? /\.\d{7}\+01:00$/ : /T\d{2}:\d{2}:\d{2}$/,
      );
      const saved = await client.patchContactUdfs(2, { 'SuperOffice:84': 'written' });
      expect(saved.UserDefinedFields?.['SuperOffice:84']).toBe('written');
    },
  );

  it.each<DateForm>(['zoneless', 'offset'])(
    'is refused with 412 when a human saved between the GET and the PUT (UpdatedDate %s)',
    async (form) => {
      const { client } = await clientFor(form, 'get-put');
      // Slow answers open a window between the GET and the PUT's handler.
      sim.faults.latencyMs = 400;
      const write = client
        .patchContactUdfs(2, { 'SuperOffice:84': 'late' })
        .catch((error: unknown) => error);
      await waitFor(() => sim.counters.get('PUT Contact/{id}') === 1, { timeoutMs: 5000 });
      sim.editAs(5, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
      expect(await write).toMatchObject({ status: 412, conflict: true });
      expect(sim.state.get('contact', 2)?.UserDefinedFields).toMatchObject({
        'SuperOffice:84': '',
      });
    },
  );
});

describe('dates in the samples’ form', () => {
  it('finds a contact updated since a time when the tenant writes offsets', async () => {
    const { client } = await clientFor('offset');
    const since = new Date(Date.now() - 1000).toISOString();
    expect(await client.findContactsUpdatedSince(since)).toEqual([]);
    sim.editAs(5, 'contact', 3, { Name: 'Fjordsky Software ASA' });
    const found = await client.findContactsUpdatedSince(since);
    expect(found.map((c) => c.contactId)).toEqual([3]);
    expect(found[0]!.updatedDate).toMatch(/\+01:00$/);
    // Read as local text the +01:00 stamp would look 30 minutes newer than it is.
    const later = new Date(Date.now() + 30 * 60_000).toISOString();
    expect(await client.findContactsUpdatedSince(later)).toEqual([]);
  });
});
