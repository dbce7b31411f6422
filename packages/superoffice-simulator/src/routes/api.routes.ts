import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CallCounters } from '../counters';
import type { WebhookDispatcher, SimWebhook } from '../dispatch';
import { sendError } from '../errors';
import type { FaultSettings } from '../faults';
import { UDF_PATCH_ROOTS } from '../inferred';
import { queryFeed, QueryError } from '../odata-query';
import { applyJsonPatch, applyMergePatch, PatchError, type PatchOperation } from '../json-patch';
import type { TenantState } from '../tenant-state';
import { instantOf, type Entity, type EntityKind } from '../tenant-types';
import { apiAuthFailure, type ApiCredentialChecks } from './api-auth';
import { patchTypeRefused } from './request-helpers';
import { webhookApi } from './webhook.routes';

export interface ApiDeps extends ApiCredentialChecks {
  readonly state: TenantState;
  readonly faults: FaultSettings;
  readonly random: () => number;
  readonly counters: CallCounters;
  readonly webhooks: Map<number, SimWebhook>;
  readonly dispatcher: WebhookDispatcher;
  /** The host generation the API answers on; a request on another one gets 421. */
  readonly hostGeneration: () => number;
}

const KIND: Record<string, EntityKind> = { contact: 'contact', person: 'person' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function routeName(req: Request): string {
  const path = req.path
    .replace(/\/\d+(?=\/|$)/g, '/{id}')
    .replace(/^\/v1\//, '')
    .replace(/^MDOList\/[^/]+$/, 'MDOList/{name}');
  return `${req.method} ${path}`;
}

/** API routes under `/{host}/{ctx}/api`: auth, faults, counters, entities, metadata, webhooks. */
export function apiRoutes(deps: ApiDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(express.json({ type: ['application/json', 'application/*+json'], limit: '1mb' }));

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    deps.counters.hit(routeName(req));
    const { host, ctx } = req.params as { host: string; ctx: string };
    if (ctx !== deps.state.contextIdentifier)
      return sendError(res, 404, 'SoTenantNotFound', `tenant ${ctx} not found`);
    if (host !== `online${deps.hostGeneration()}`)
      return sendError(res, 421, 'MisdirectedRequest', 'Wrong subdomain used to access tenant');
    const authFailure = apiAuthFailure(req, deps);
    if (authFailure) return sendError(res, 401, 'SoAuthenticationException', authFailure);
    if (deps.faults.latencyMs > 0) await sleep(deps.faults.latencyMs);
    if (deps.faults.outage)
      return sendError(res, 503, 'ServiceUnavailable', 'tenant is unavailable');
    if (deps.faults.rateLimitRemaining > 0) {
      deps.faults.rateLimitRemaining--;
      res.set('Retry-After', String(deps.faults.retryAfterSeconds));
      return sendError(res, 429, 'TooManyRequests', 'rate limit exceeded');
    }
    if (deps.faults.errorRate > 0 && deps.random() < deps.faults.errorRate) {
      return sendError(res, 500, 'SoServerException', 'injected server error');
    }
    next();
  });

  router.get('/v1/User/currentPrincipal', (_req, res) => {
    const u = deps.state.apiUser;
    res.json({
      AssociateId: u.associateId,
      UserName: u.userName,
      FullName: u.fullName,
      PersonId: 0,
      ContactId: 0,
      RoleName: 'Integration',
    });
  });

  router.get('/v1/:entity/UdefLayout/Published', (req, res) => {
    const kind = KIND[String(req.params.entity).toLowerCase()];
    if (!kind) return sendError(res, 404, 'SoNotFoundException', 'unknown entity');
    res.json(
      deps.state.udfDefinitions(kind).map((d, i) => ({
        ProgId: d.progId,
        UdefIdentity: Number(/:(\d+)$/.exec(d.progId)?.[1] ?? i + 1),
        UDefFieldId: 1000 + i,
        FieldLabel: d.label,
        ShortLabel: d.label,
        // UDefFieldType names, as SuperOffice's layout samples write them.
        FieldType:
          d.type === 'list' ? 'List' : (d.textLength ?? 0) > 254 ? 'LongText' : 'ShortText',
        TextLength: d.textLength ?? 0,
        IsReadOnly: false,
        UDListDefinitionId: d.type === 'list' ? 1 : 0,
        ListTableId: d.type === 'list' ? 136 : 0,
        MdoListName: d.list ?? '',
        HasBeenPublished: true,
      })),
    );
  });

  router.get('/v1/MDOList/:name', (req, res) => {
    const refusal = deps.state.listRefusal(String(req.params.name));
    if (refusal === 403)
      return sendError(
        res,
        403,
        'SoAccessDeniedException',
        `access to list ${String(req.params.name)} is denied`,
      );
    const items = refusal === undefined ? deps.state.lists.get(String(req.params.name)) : undefined;
    if (!items)
      return sendError(
        res,
        404,
        'SoNotFoundException',
        `list ${String(req.params.name)} not found`,
      );
    res.json(
      items.map((i) => ({ Id: i.id, Name: i.name, Deleted: false, Type: 'list', ColorBlock: 0 })),
    );
  });

  // OData feeds (superoffice-api.md 6.7): the sweep, the backfill, `doctor` and `raw` read them.
  for (const kind of ['contact', 'person'] as const) {
    router.get(kind === 'contact' ? '/v1/Contact' : '/v1/Person', (req, res) => {
      try {
        const records = deps.state.ids(kind).map((id) => deps.state.get(kind, id)!);
        res.json({ value: queryFeed(kind, records, req.query) });
      } catch (error) {
        if (error instanceof QueryError)
          return sendError(res, 400, 'SoArgumentException', error.message);
        throw error;
      }
    });
  }

  // Create a company as the API user (superoffice-api.md 6.2): fields not given get defaults.
  router.post('/v1/Contact', (req, res) => {
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return sendError(res, 400, 'SoArgumentException', 'POST needs the entity as a JSON object');
    res.json(deps.state.create('contact', body as Entity, deps.state.apiUser.associateId));
  });

  // Before the generic `/v1/:entity/:id` routes, which would otherwise take `Webhook/{id}`.
  webhookApi(router, deps);

  router.get('/v1/:entity/:id', (req, res) => {
    const kind = KIND[String(req.params.entity).toLowerCase()];
    const record = kind ? deps.state.get(kind, Number(req.params.id)) : undefined;
    if (!kind || !record)
      return sendError(
        res,
        404,
        'SoNotFoundException',
        `${String(req.params.entity)} id ${String(req.params.id)} not found`,
      );
    res.json(record);
  });

  const write = (req: Request, res: Response, build: (current: Entity) => Entity) => {
    const kind = KIND[String(req.params.entity).toLowerCase()];
    const id = Number(req.params.id);
    const current = kind ? deps.state.get(kind, id) : undefined;
    if (!kind || !current)
      return sendError(
        res,
        404,
        'SoNotFoundException',
        `${String(req.params.entity)} id ${String(req.params.id)} not found`,
      );
    const since = req.get('if-unmodified-since');
    // HTTP dates have whole seconds: compare UpdatedDate at that precision.
    if (
      since &&
      Math.floor(instantOf(String(current.UpdatedDate)) / 1000) * 1000 > Date.parse(since)
    ) {
      return sendError(
        res,
        412,
        'PreconditionFailed',
        'the entity was changed since If-Unmodified-Since',
      );
    }
    let next: Entity;
    try {
      next = build(current);
    } catch (error) {
      if (error instanceof PatchError)
        return sendError(
          res,
          error.status,
          error.status === 409 ? 'PatchTestFailed' : 'SoArgumentException',
          error.message,
        );
      throw error;
    }
    const known = new Set(deps.state.udfDefinitions(kind).map((d) => d.progId));
    const udfs = (next.UserDefinedFields ?? {}) as Record<string, unknown>;
    const unknownKey = Object.keys(udfs).find(
      (k) => !known.has(k.replace(/:(DisplayText|DisplayTooltip|org)$/, '')),
    );
    if (unknownKey)
      return sendError(res, 400, 'SoArgumentException', `unknown user-defined field ${unknownKey}`);
    const principal = deps.state.apiUser.associateId;
    res.json(deps.state.save(kind, id, next, principal));
  };

  router.put('/v1/:entity/:id', (req, res) => {
    if (req.body === undefined || typeof req.body !== 'object' || Array.isArray(req.body)) {
      return sendError(
        res,
        400,
        'SoArgumentException',
        'PUT needs the whole entity as a JSON object',
      );
    }
    write(req, res, () => req.body as Entity);
  });

  router.patch('/v1/:entity/:id', (req, res) => {
    if (patchTypeRefused(req, res, deps.faults.patchContentTypes)) return;
    const body: unknown = req.body;
    if (Array.isArray(body)) {
      write(req, res, (current) => {
        const ops = (body as PatchOperation[]).map((op) => {
          // UDF paths are accepted under both dictionaries; CustomFields writes land in UserDefinedFields.
          const root = op.path.replace(/^\//, '').split('/')[0]?.toLowerCase();
          return root && (UDF_PATCH_ROOTS as readonly string[]).includes(root)
            ? { ...op, path: op.path.replace(/^\/?[^/]+/, '/UserDefinedFields') }
            : op;
        });
        return applyJsonPatch(current, ops);
      });
    } else if (body !== null && typeof body === 'object') {
      write(req, res, (current) => applyMergePatch(current, body) as Entity);
    } else {
      sendError(
        res,
        400,
        'SoArgumentException',
        'PATCH needs a JSON Patch array or a merge-patch object',
      );
    }
  });

  return router;
}
