import { startSimulator, type RunningSimulator } from '../src';

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.stop();
});

async function readList(name: string) {
  const token = await sim.issueAccessToken();
  const res = await fetch(`${sim.apiBaseUrl()}/v1/MDOList/${name}?flat=true`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: await res.json() };
}

describe('an unreadable list (issue 11 §5: MDOList/udlist331 answered 404 on the live tenant)', () => {
  it('answers 404 or 403 while made unreadable, and the items again once readable', async () => {
    expect((await readList('udlist1')).status).toBe(200);

    sim.setListReadable('udlist1', false);
    expect(await readList('udlist1')).toMatchObject({
      status: 404,
      body: { Error: true, ErrorType: 'SoNotFoundException' },
    });
    sim.setListReadable('UDLIST1', 403);
    expect(await readList('udlist1')).toMatchObject({
      status: 403,
      body: { Error: true, ErrorType: 'SoAccessDeniedException' },
    });

    sim.setListReadable('udlist1', true);
    const back = await readList('udlist1');
    expect(back.status).toBe(200);
    expect(back.body).toEqual(expect.arrayContaining([expect.objectContaining({ Id: 1 })]));
  });

  it('is switched over HTTP with PUT /sim/lists/{name}/readable, and refuses a bad value', async () => {
    const put = (readable: unknown) =>
      fetch(`${sim.url}/sim/lists/udlist1/readable`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ readable }),
      });
    expect((await put(404)).status).toBe(200);
    expect((await readList('udlist1')).status).toBe(404);
    expect((await put('no')).status).toBe(400);
    expect((await readList('udlist1')).status).toBe(404);
    expect((await put(true)).status).toBe(200);
    expect((await readList('udlist1')).status).toBe(200);
  });
});
