// Standalone simulator for the demo and for manual runs:
//   pnpm --filter @so-connector/superoffice-simulator start
// SIM_PORT (default 4010), SIM_HOST (default 127.0.0.1; 0.0.0.0 in a container), SIM_TOKEN_EXPIRES_IN (s),
// SIM_RETRY_SCALE, SIM_SEED_FILE.
import { loadSeed } from './seed';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const env = process.env;
  const sim = await startSimulator({
    port: Number(env.SIM_PORT ?? 4010),
    ...(env.SIM_HOST ? { host: env.SIM_HOST } : {}),
    ...(env.SIM_TOKEN_EXPIRES_IN
      ? { tokenExpiresInSeconds: Number(env.SIM_TOKEN_EXPIRES_IN) }
      : {}),
    ...(env.SIM_RETRY_SCALE ? { retryScale: Number(env.SIM_RETRY_SCALE) } : {}),
    ...(env.SIM_SEED_FILE ? { seed: loadSeed(env.SIM_SEED_FILE) } : {}),
  });
  process.stdout.write(
    `${JSON.stringify({
      message: 'SuperOffice simulator listening',
      tenant: sim.state.contextIdentifier,
      SO_TOKEN_URL: sim.tokenUrl,
      SO_API_BASE_URL: sim.apiBaseUrl(),
      SO_CLIENT_ID: sim.client.clientId,
      apiUserAssociateId: sim.state.apiUser.associateId,
    })}\n`,
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void sim.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[simulator] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
