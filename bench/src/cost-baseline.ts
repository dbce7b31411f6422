// The prototype's processing model, as the baseline of benchmark 4: a minimal webhook consumer that,
// for EVERY contact/person created/changed event it receives (any columns, its own echoes too),
// reads the record (a person's company too), asks the provider, and writes the UDFs back.
//
// One concession keeps it finite: it PATCHes only when a value differs. The prototype PATCHed
// every time, and since every PATCH echoes as a new `*.changed` that it processed again, a literal
// copy never stops (its "ping-pong"). With the concession each write costs one echo round (GET +
// provider, no PATCH), so the baseline is cheaper than the prototype and the ratios conservative.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BuiltinProvider,
  mapCompanyResult,
  mapPersonOpener,
  type CompanyInput,
  type CompanyTargets,
  type PersonInput,
} from '@so-connector/enrichment';
import type { Entity, RunningSimulator } from '@so-connector/superoffice-simulator';
import { CONNECTOR_WEBHOOK_EVENTS } from '@so-connector/testing';
import { TRAFFIC_SECRET, TRAFFIC_UDF } from './traffic-system';

const HANDLED = new Set(['contact.created', 'contact.changed', 'person.created', 'person.changed']);

export interface Baseline {
  readonly providerCalls: () => number;
  readonly eventsHandled: () => number;
  /** No event waiting or in progress. */
  idle(): boolean;
  stop(): Promise<void>;
}

interface Delivery {
  Event: string;
  PrimaryKey: number;
}

function companyInput(c: Entity): CompanyInput {
  const urls = (c.Urls as { Value?: string }[] | undefined) ?? [];
  return {
    name: (c.Name as string | undefined) ?? '',
    website: urls.find((u) => u.Value)?.Value,
    domains: (c.Domains as string[] | undefined) ?? [],
    orgNr: (c.OrgNr as string | undefined) || undefined,
    country: (c.Country as { Name?: string } | null | undefined)?.Name ?? undefined,
    description: (c.Description as string | undefined) || undefined,
  };
}

const provider = new BuiltinProvider();
const PERSON_TARGET = { key: TRAFFIC_UDF.personOpener, textLength: 500 };

function companyTargets(verticalItems: readonly { id: number; name: string }[]): CompanyTargets {
  return {
    vertical: { key: TRAFFIC_UDF.vertical, listItems: verticalItems },
    summary: { key: TRAFFIC_UDF.summary, textLength: 2000 },
    opener: { key: TRAFFIC_UDF.opener, textLength: 500 },
  };
}

/** The UDF values the builtin provider gives for these inputs (the connector's mapping). */
export async function expectedUdfs(
  inputs: { company: CompanyInput; person?: PersonInput | undefined },
  verticalItems: readonly { id: number; name: string }[],
): Promise<Record<string, string>> {
  if (inputs.person)
    return {
      ...mapPersonOpener(await provider.personOpener(inputs.person, inputs.company), PERSON_TARGET)
        .values,
    };
  const result = await provider.enrichCompany(inputs.company, {
    verticals: verticalItems.map((i) => i.name),
  });
  return { ...mapCompanyResult(result, companyTargets(verticalItems)).values };
}

export async function startBaseline(sim: RunningSimulator, concurrency: number): Promise<Baseline> {
  const token = await sim.issueAccessToken();
  const api = async (method: string, path: string, body?: unknown): Promise<Entity | undefined> => {
    const res = await fetch(`${sim.apiBaseUrl()}/v1/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    return text ? (JSON.parse(text) as Entity) : undefined;
  };
  // The prototype had the list ids configured: read once, not counted per event.
  const verticalItems = [...(sim.state.lists.values().next().value ?? [])];
  let providerCalls = 0;
  let handled = 0;
  const write = async (path: string, record: Entity, values: Record<string, string>) => {
    const udfs = (record.UserDefinedFields as Record<string, unknown> | undefined) ?? {};
    if (Object.entries(values).every(([k, v]) => udfs[k] === v)) return;
    await api('PATCH', path, { UserDefinedFields: values });
  };
  const process1 = async (event: Delivery) => {
    handled++;
    if (event.Event.startsWith('contact.')) {
      const contact = await api('GET', `Contact/${event.PrimaryKey}`);
      if (!contact) return;
      providerCalls++;
      const values = await expectedUdfs({ company: companyInput(contact) }, verticalItems);
      await write(`Contact/${event.PrimaryKey}`, contact, values);
    } else {
      const person = await api('GET', `Person/${event.PrimaryKey}`);
      if (!person) return;
      const contactId = (person.Contact as { ContactId?: number } | null)?.ContactId;
      const company = contactId ? await api('GET', `Contact/${contactId}`) : undefined;
      providerCalls++;
      const values = await expectedUdfs(
        {
          person: {
            firstName: (person.Firstname as string | undefined) ?? '',
            lastName: (person.Lastname as string | undefined) ?? '',
            jobTitle: (person.Title as string | undefined) || undefined,
            position: (person.Position as { Value?: string } | null)?.Value ?? undefined,
          },
          company: companyInput(company ?? {}),
        },
        verticalItems,
      );
      await write(`Person/${event.PrimaryKey}`, person, values);
    }
  };

  const waiting: Delivery[] = [];
  let active = 0;
  const pump = () => {
    while (active < concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      active++;
      process1(next)
        .catch((error: unknown) => {
          process.stderr.write(`baseline: ${String(error)}\n`);
        })
        .finally(() => {
          active--;
          pump();
        });
    }
  };
  // The prototype's receiver: answer 200 and queue (its SQLite queue; here in memory).
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery;
        if (HANDLED.has(event.Event)) {
          waiting.push(event);
          pump();
        }
      } catch {
        // not JSON: ignored
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const registered = await sim.registerWebhook({
    targetUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/connector/webhook`,
    secret: TRAFFIC_SECRET,
    events: CONNECTOR_WEBHOOK_EVENTS,
  });
  if (registered !== 200) throw new Error(`baseline webhook registration failed: ${registered}`);
  return {
    providerCalls: () => providerCalls,
    eventsHandled: () => handled,
    idle: () => waiting.length === 0 && active === 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
