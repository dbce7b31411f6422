import type { CliConfig, EnrichmentSettings } from '@so-connector/config';
import { createProvider } from '@so-connector/enrichment';
import {
  udfKey,
  type SuperOfficeClient,
  type UdfDefinition,
} from '@so-connector/superoffice-client';
import { positiveId } from '../command';
import { describeError, isRefusal } from '../errors';
import type { SuperOfficeHandle } from '../superoffice-handle';
import { udfKind } from '../udf-kinds';
import { skip, type CheckResult } from './check-result';
import { udfTargetChecks, verticalListCheck } from './udf-checks';
import { webhookChecks } from './checks';

export interface DoctorOptions {
  contact?: string;
  person?: string;
}

/** One tenant as doctor checks it: its configuration and its SuperOffice connection. */
export interface DoctorTarget {
  /** The CLI configuration with this tenant's settings (configForTenant) or the environment's. */
  readonly config: CliConfig;
  readonly contextIdentifier: string;
  /** Built on first use: its settings section must be valid. */
  readonly superOffice: () => SuperOfficeHandle;
}

const AUTH_FIX =
  'check SO_CLIENT_ID, SO_CLIENT_SECRET and SO_REFRESH_TOKEN; authorise the app again if the refresh token was revoked';

/** Runs `probe`; a throw becomes a FAIL naming the error in one line. */
export async function attempt(
  results: CheckResult[],
  check: string,
  fix: string,
  probe: () => Promise<string | CheckResult[]>,
): Promise<boolean> {
  try {
    const outcome = await probe();
    if (typeof outcome === 'string') results.push({ check, status: 'PASS', detail: outcome });
    else results.push(...outcome);
    return true;
  } catch (error) {
    results.push({ check, status: 'FAIL', detail: describeError(error).message, fix });
    return false;
  }
}

/** One record id of an entity: the first of the OData feed (ordered by key, one row). */
async function someRecordId(
  client: SuperOfficeClient,
  entity: 'Contact' | 'Person',
): Promise<number | undefined> {
  const key = entity === 'Contact' ? 'contactId' : 'personId';
  const page = (await client.getRaw(`/v1/${entity}`, {
    $select: key,
    $filter: "updatedDate afterTime '2000-01-01T00:00:00'",
    $orderby: key,
    $top: '1',
  })) as { value?: Record<string, unknown>[] } | null;
  const id = page?.value?.[0]?.[key];
  return typeof id === 'number' ? id : undefined;
}

/** API base, token, API user, record schemas, UDF targets, the Vertical list and the webhook. */
export async function superOfficeChecks(
  target: DoctorTarget,
  results: CheckResult[],
  opts: DoctorOptions,
): Promise<void> {
  const { config } = target;
  const so = target.superOffice();
  const located = await attempt(
    results,
    'superoffice-api',
    'check SO_CONTEXT_IDENTIFIER and SO_ENVIRONMENT (or SO_API_BASE_URL)',
    async () => `API base ${await so.tenantUrl.apiBaseUrl()}`,
  );
  const authorised = await attempt(results, 'superoffice-token', AUTH_FIX, async () => {
    await so.auth.authorize();
    return `access token obtained (${so.settings.environment})`;
  });
  if (!located || !authorised) {
    results.push(
      skip('superoffice', 'the remaining SuperOffice checks need the API base and a token'),
    );
    return;
  }
  await attempt(results, 'api-user', AUTH_FIX, async () => {
    const principal = await so.client.getCurrentPrincipal();
    const own = so.settings.ownAssociateId;
    const detail = `${principal.UserName ?? '?'}, associate ${principal.AssociateId}`;
    return own !== undefined && own !== principal.AssociateId
      ? [
          {
            check: 'api-user',
            status: 'WARN',
            detail: `${detail}; SO_OWN_ASSOCIATE_ID=${own} differs: echoes of the connector's writes are not recognised`,
            fix: `unset SO_OWN_ASSOCIATE_ID or set it to ${principal.AssociateId}`,
          },
        ]
      : detail;
  });

  for (const entity of ['Contact', 'Person'] as const) {
    const given = entity === 'Contact' ? opts.contact : opts.person;
    await attempt(
      results,
      `${entity.toLowerCase()}-schema`,
      `compare with so-connector raw GET /v1/${entity}/<id>; the connector cannot read records of this shape`,
      async () => {
        const id = given
          ? positiveId(given, `--${entity.toLowerCase()}`)
          : await someRecordId(so.client, entity);
        if (id === undefined)
          return [skip(`${entity.toLowerCase()}-schema`, `no ${entity} found to read`)];
        if (entity === 'Contact') await so.client.getContact(id);
        else await so.client.getPerson(id);
        return `${entity} ${id} parses with the connector's schema`;
      },
    );
  }

  if (!config.udfs.ok) {
    results.push(skip('udfs', 'SO_UDF_* settings are invalid (see config)'));
  } else {
    await udfChecks(so.client, config.udfs.value, results);
  }

  if (!config.webhook.ok) {
    results.push(skip('webhook', 'WEBHOOK_PUBLIC_URL is invalid (see config)'));
  } else {
    const { publicUrl, secrets } = config.webhook.value;
    await attempt(
      results,
      'webhook',
      'the API user needs the Webhook agent (superoffice-api.md 4.1)',
      async () => {
        const hooks = await so.client.listWebhooks();
        const lastErrors = new Map<number, string>();
        for (const hook of hooks) {
          if (hook.State !== 'Active')
            lastErrors.set(hook.WebhookId, await so.client.getWebhookLastError(hook.WebhookId));
        }
        return webhookChecks(hooks, {
          publicUrl,
          secrets,
          lastErrors,
          tenant: target.contextIdentifier,
        });
      },
    );
  }
}

type UdfSettings = Extract<CliConfig['udfs'], { ok: true }>['value'];

async function udfChecks(
  client: SuperOfficeClient,
  udfs: UdfSettings,
  results: CheckResult[],
): Promise<void> {
  const layouts: { Contact: UdfDefinition[]; Person: UdfDefinition[] } = {
    Contact: [],
    Person: [],
  };
  const read = await attempt(
    results,
    'udf-layout',
    'the API user needs read access to the UDF layout',
    async () => {
      layouts.Contact = await client.getPublishedUdfLayout('Contact');
      layouts.Person = await client.getPublishedUdfLayout('Person');
      return `published layouts: ${layouts.Contact.length} Contact and ${layouts.Person.length} Person fields`;
    },
  );
  if (!read) return;
  results.push(...udfTargetChecks(udfs, layouts));
  const vertical = layouts.Contact.find(
    (d) => udfs.vertical !== undefined && udfKey(d) === udfs.vertical,
  );
  await attempt(
    results,
    'vertical-list',
    'run so-connector discover to see the list behind the field',
    async () => {
      const listName = vertical && udfKind(vertical) === 'list' ? vertical.MdoListName : undefined;
      if (!listName) return [verticalListCheck(vertical, undefined)];
      try {
        return [verticalListCheck(vertical, await client.getMdoListItems(listName))];
      } catch (error) {
        // A list SuperOffice refuses (4xx) is a configuration problem to name; anything else
        // (network, 5xx) says nothing about the list and is reported as it is.
        if (!isRefusal(error)) throw error;
        return [
          verticalListCheck(vertical, undefined, {
            call: `GET /v1/MDOList/${listName}?flat=true`,
            status: error.status,
            message: describeError(error).message,
          }),
        ];
      }
    },
  );
}

/** The enrichment provider answers one small call (builtin: always). */
export async function providerCheck(
  section: CliConfig['enrichment'],
  results: CheckResult[],
): Promise<void> {
  if (!section.ok) {
    results.push(skip('provider', 'enrichment settings are invalid (see config)'));
    return;
  }
  const settings: EnrichmentSettings = section.value;
  if (settings.provider === 'builtin') {
    results.push({
      check: 'provider',
      status: 'PASS',
      detail: 'builtin (offline, always answers)',
    });
    return;
  }
  await attempt(results, 'provider', `check the ${settings.provider} URL and API key`, async () => {
    const started = Date.now();
    // The smallest call a provider has: one opener for a made-up person.
    await createProvider(settings).personOpener(
      { firstName: 'Doctor', lastName: 'Check', jobTitle: 'Operations', position: undefined },
      {
        name: 'so-connector doctor',
        website: undefined,
        domains: [],
        orgNr: undefined,
        country: undefined,
        description: undefined,
      },
    );
    return `${settings.provider} answered in ${Date.now() - started} ms`;
  });
}
