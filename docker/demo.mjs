// The one-shot `demo` service of docker-compose.yml (profile demo): against the compose services,
// does what an operator and a salesperson would. It registers the webhook on the simulated tenant
// (SuperOffice pings the receiver with a signed test event), creates a company, and waits until the
// worker has written the enrichment back. Reads the same variables as the receiver and worker
// (docker/demo.env) plus SIM_URL and RECEIVER_URL. Exits 0 on success, 1 otherwise.
const env = process.env;
const SIM = env.SIM_URL ?? 'http://simulator:4010';
const RECEIVER = env.RECEIVER_URL ?? 'http://receiver:3000';
const TARGET = env.WEBHOOK_TARGET_URL ?? `${RECEIVER}/webhooks/superoffice`;
const TENANT = env.SO_CONTEXT_IDENTIFIER ?? 'Cust12345';
const SECRET = (env.WEBHOOK_SECRET ?? '').split(',')[0].trim();
const VERTICAL = env.SO_UDF_VERTICAL ?? 'SuperOffice:83';
const SUMMARY = env.SO_UDF_SUMMARY ?? 'SuperOffice:84';
const TIMEOUT_MS = Number(env.DEMO_TIMEOUT_MS ?? 120_000);

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, check) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

async function json(url, init = {}) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => undefined);
  if (!res.ok)
    throw new Error(
      `${init.method ?? 'GET'} ${url} answered ${res.status}: ${JSON.stringify(body)}`,
    );
  return body;
}

async function main() {
  if (!SECRET) throw new Error('WEBHOOK_SECRET is not set (docker/demo.env sets one)');
  const state = await waitFor('the simulator', () => json(`${SIM}/api/state/${TENANT}`));
  await waitFor('the receiver', async () => (await fetch(`${RECEIVER}/readyz`)).ok);
  // The API base as this container reaches it: the simulator names itself by its listen address.
  const apiBase = `${SIM}${new URL(state.Api).pathname}`;
  const { access_token: token } = await json(`${SIM}/login/common/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: env.SO_CLIENT_ID ?? 'sim-client-id',
      client_secret: env.SO_CLIENT_SECRET ?? 'sim-client-secret',
      refresh_token: env.SO_REFRESH_TOKEN ?? 'sim-refresh-token',
    }).toString(),
  });
  const api = (path, init = {}) =>
    json(`${apiBase}/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });

  const existing = (await api('/Webhook')).find((hook) => hook.TargetUrl === TARGET);
  const hook =
    existing ??
    (await api('/Webhook', {
      method: 'POST',
      body: JSON.stringify({
        Name: 'so-connector',
        Events: ['contact.created', 'contact.changed', 'person.created', 'person.changed'],
        TargetUrl: TARGET,
        Secret: SECRET,
        Type: 'webhook',
      }),
    }));
  say(
    existing
      ? `Webhook ${hook.WebhookId} to ${TARGET} was already registered (${hook.State}).`
      : `Webhook ${hook.WebhookId} registered to ${TARGET} (${hook.State}): the receiver answered the signed test ping.`,
  );

  const company = await json(`${SIM}/sim/contact`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sim-associate': '5' },
    body: JSON.stringify({
      Name: 'Solgrid Energy AS',
      OrgNr: '923456781',
      Description: 'Solar power plants and grid batteries for Nordic utilities.',
      Urls: [{ Value: 'https://solgrid.no', StrippedValue: 'solgrid.no', Description: '' }],
      Domains: ['solgrid.no'],
      Country: { CountryId: 578, Name: 'Norway' },
    }),
  });
  say(
    `Created company ${company.ContactId} "${company.Name}" as a human: SuperOffice sends contact.created.`,
  );

  const enriched = await waitFor('the enrichment written back by the worker', async () => {
    const contact = await api(`/Contact/${company.ContactId}`);
    return contact.UserDefinedFields?.[VERTICAL] ? contact : undefined;
  });
  const udfs = enriched.UserDefinedFields;
  say('Written back by the worker:');
  say(`  Vertical (${VERTICAL})  ${udfs[VERTICAL]} = ${udfs[`${VERTICAL}:DisplayText`] ?? ''}`);
  say(`  Summary  (${SUMMARY})  ${udfs[SUMMARY] ?? ''}`);
  say(
    `Change a company and watch the worker again: curl -X PATCH http://127.0.0.1:${env.SIM_PUBLISHED_PORT ?? 4010}/sim/contact/2 -H 'content-type: application/json' -d '{"Name":"Nordlys Robotics ASA"}'`,
  );
  say(
    "The worker's log (docker compose logs -f worker) has one line `record written` per write back (tenant, entity, recordId, fields, eventIds, provider called|reused) and one line `enrichment failed` per enrichment that failed for good; skipped events, such as the echo of its own write, only at LOG_LEVEL=debug.",
  );
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
