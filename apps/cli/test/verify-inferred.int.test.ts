import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { cli, envFor } from './cli-harness';

// `verify --inferred` against the simulator over HTTP: each inferred choice PASSes where the
// simulator models SuperOffice as inferred, and FAILs, named, where it is made to refuse.
let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.stop();
});

interface Check {
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

async function verifyInferred() {
  // No Redis is touched: the URL only has to be valid.
  const run = await cli(
    ['verify', '2', '--inferred', '--json'],
    envFor(sim, { url: 'redis://127.0.0.1:6379', prefix: 'verify-inferred' }),
  );
  const checks = run.json<{ checks: Check[] }>().checks;
  return { run, status: Object.fromEntries(checks.map((c) => [c.check, c.status])), checks };
}

describe('verify --inferred', () => {
  it('passes each inferred choice once and restores the probed UDF', async () => {
    sim.editAs(5, 'contact', 2, {
      UserDefinedFields: {
        ...(sim.state.get('contact', 2)!.UserDefinedFields as Record<string, unknown>),
        'SuperOffice:84': 'A human summary',
      },
    });
    const { run, status } = await verifyInferred();
    expect(status).toEqual({
      'inferred json-patch': 'PASS',
      'inferred udf-path /UserDefinedFields/{key}': 'PASS',
      'inferred zone-less dates are UTC': 'PASS',
      'inferred MDOList ?flat=true': 'PASS',
    });
    expect(run.code).toBe(0);
    expect(sim.counters.get('PATCH Contact/{id}')).toBe(2);
    expect(
      (sim.state.get('contact', 2)!.UserDefinedFields as Record<string, unknown>)['SuperOffice:84'],
    ).toBe('A human summary');
  });

  it('fails the JSON Patch check, naming the status and the get-put fix, when PATCH is refused', async () => {
    sim.faults.patchContentTypes = ['application/merge-patch+json'];
    const { run, status, checks } = await verifyInferred();
    expect(status['inferred json-patch']).toBe('FAIL');
    expect(checks[0]).toMatchObject({
      detail: expect.stringContaining('HTTP 415'),
      fix: expect.stringContaining('SO_UDF_WRITE_MODE=get-put'),
    });
    expect(status['inferred udf-path /UserDefinedFields/{key}']).toBe('SKIP');
    expect(run.code).toBe(1);
  });

  it('fails the flat-list check when the list cannot be read', async () => {
    sim.setListReadable('udlist1', 404);
    const { run, status, checks } = await verifyInferred();
    expect(status['inferred MDOList ?flat=true']).toBe('FAIL');
    expect(checks.find((c) => c.check === 'inferred MDOList ?flat=true')?.detail).toContain(
      'GET /v1/MDOList/udlist1?flat=true: HTTP 404',
    );
    expect(run.code).toBe(1);
  });
});
