import { waitFor } from './wait-for';

export interface SettleProbe {
  /** Jobs still waiting, active or delayed in the queues that matter. */
  readonly pendingJobs: () => Promise<number>;
  /** Webhook deliveries made so far (a write produces an echo delivery shortly after). */
  readonly deliveries: () => number;
  /** Resolves when no delivery is in flight. */
  readonly deliveriesSettled: () => Promise<void>;
}

/**
 * Waits until a connector run is over: no delivery in flight, no pending job, and the same stays
 * true over a short quiet period twice in a row — a write's echo arrives only after the write.
 */
export async function settle(
  probe: SettleProbe,
  { timeoutMs = 30_000, quietMs = 200 } = {},
): Promise<void> {
  for (let quiet = 0; quiet < 2;) {
    await probe.deliveriesSettled();
    await waitFor(async () => (await probe.pendingJobs()) === 0, {
      timeoutMs,
      intervalMs: 50,
      what: 'idle queues',
    });
    const deliveries = probe.deliveries();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    quiet = (await probe.pendingJobs()) === 0 && probe.deliveries() === deliveries ? quiet + 1 : 0;
  }
}

/** A simulator handle as the helpers below read it (structural: any simulator handle fits). */
interface SimulatorHandle {
  readonly client: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly refreshToken: string;
  };
  readonly tokenUrl: string;
  apiBaseUrl(): string;
}

/** The ProgIds of the simulated tenant's target UDFs. */
export const SIMULATED_UDF = {
  vertical: 'SuperOffice:83',
  summary: 'SuperOffice:84',
  opener: 'SuperOffice:85',
  personOpener: 'SuperOffice:91',
} as const;

/**
 * The worker environment the test harnesses share: the simulated tenant (superOfficeEnvFor), its
 * target UDFs, and waits short enough for a test (a 300 ms debounce, 5 s at most).
 */
export function enrichingWorkerEnv(sim: SimulatorHandle): Record<string, string> {
  return {
    ...superOfficeEnvFor(sim),
    SO_UDF_VERTICAL: SIMULATED_UDF.vertical,
    SO_UDF_SUMMARY: SIMULATED_UDF.summary,
    SO_UDF_OPENER: SIMULATED_UDF.opener,
    SO_UDF_PERSON_OPENER: SIMULATED_UDF.personOpener,
    SO_RATE_LIMIT_PER_SECOND: '200',
    ENRICH_DEBOUNCE_MS: '300',
    ENRICH_MAX_WAIT_MS: '5000',
  };
}

/** What the worker needs to talk to a simulated tenant. */
export function superOfficeEnvFor(sim: SimulatorHandle): Record<string, string> {
  return {
    SO_CONTEXT_IDENTIFIER: 'Cust12345',
    SO_CLIENT_ID: sim.client.clientId,
    SO_CLIENT_SECRET: sim.client.clientSecret,
    SO_REFRESH_TOKEN: sim.client.refreshToken,
    SO_TOKEN_URL: sim.tokenUrl,
    SO_API_BASE_URL: sim.apiBaseUrl(),
  };
}

/**
 * The simulator's connection settings in the shape `createSuperOfficeClient()` takes, so a test
 * builds its client as the worker and the CLI do: `createSuperOfficeClient(superOfficeSettingsFor(sim))`.
 */
export function superOfficeSettingsFor(sim: Parameters<typeof superOfficeEnvFor>[0]) {
  return {
    environment: 'online' as const,
    contextIdentifier: 'Cust12345',
    clientId: sim.client.clientId,
    clientSecret: sim.client.clientSecret,
    refreshToken: sim.client.refreshToken,
    tokenUrl: sim.tokenUrl,
    apiBaseUrl: sim.apiBaseUrl(),
  };
}

/** Jobs waiting, active, delayed or prioritised in the given BullMQ queues. */
export async function pendingJobsIn(
  queues: readonly { getJobCounts(...types: string[]): Promise<Record<string, number>> }[],
): Promise<number> {
  const counts = await Promise.all(
    queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
  );
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}
