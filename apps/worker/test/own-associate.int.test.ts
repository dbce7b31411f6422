import { PassThrough } from 'node:stream';
import { createLogger } from '@so-connector/logger';
import { createSuperOfficeClient, type SuperOfficeClient } from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { waitFor, superOfficeSettingsFor } from '@so-connector/testing';
import { learnOwnAssociate } from '../src/own-associate';

const logger = createLogger({
  component: 'worker',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

/** A client of the simulated tenant, as the worker builds one. */
function clientFor(sim: RunningSimulator): SuperOfficeClient {
  return createSuperOfficeClient(superOfficeSettingsFor(sim));
}

describe('learnOwnAssociate', () => {
  it('learns the API user from currentPrincipal and follows a change of it', async () => {
    const sim = await startSimulator();
    try {
      const client = clientFor(sim);
      const sut = await learnOwnAssociate({ client, configured: undefined, refreshMs: 50, logger });
      try {
        expect(sut.current()).toBe(42);
        // The tenant's integration user is replaced by another associate.
        (sim.state.apiUser as { associateId: number }).associateId = 77;
        await waitFor(() => sut.current() === 77, {
          timeoutMs: 3000,
          what: 'the refreshed associate id',
        });
      } finally {
        sut.stop();
      }
    } finally {
      await sim.stop();
    }
  });

  it('takes SO_OWN_ASSOCIATE_ID without asking SuperOffice', async () => {
    const sim = await startSimulator();
    try {
      const client = clientFor(sim);
      const sut = await learnOwnAssociate({ client, configured: 9, refreshMs: 50, logger });
      expect(sut.current()).toBe(9);
      expect(sim.counters.get('GET User/currentPrincipal')).toBe(0);
      sut.stop();
    } finally {
      await sim.stop();
    }
  });
});
