import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CallCounters } from '../counters';
import type { WebhookDispatcher, SimWebhook } from '../dispatch';
import { sendError } from '../errors';
import type { FaultSettings } from '../faults';
import { UDF_PATCH_ROOTS } from '../inferred';
import { queryFeed, QueryError } from '../odata-query';
import { applyJsonPatch, applyMergePatch, PatchError, type PatchOperation } from '../json-patch';
import { instantOf, type Entity, type EntityKind, type TenantState } from '../tenant-state';
import type { TokenStore } from './auth.routes';

export interface ApiDeps {
  readonly state: TenantState;
  readonly store: TokenStore;
  readonly faults: FaultSettings;
  readonly random: () => number;
  readonly counters: CallCounters;
  readonly webhooks: Map<number, SimWebhook>;
  readonly dispatcher: WebhookDispatcher;
  /** The host generation the API answers on; a request on another one gets 421. */
  readonly hostGeneration: () => number;
}

const KIND: Record<string, EntityKind> = { contact: 'contact', person: 'person' };
/** A string field of a loosely typed input, or the fallback. */
const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' ? value : fallback;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function routeName(req: Request): string {
  const path = req.path
    .replace(/\/\d+(?=\/|$)/g, '/{id}')
    .replace(/^\/v1\//, '')
    .replace(/^MDOList\/[^/]+$/, 'MDOList/{name}');
  return `${req.method} ${path}`;
}

/** True (415 sent) when a PATCH body's media type is not one the tenant accepts (`faults.patchContentTypes`). */
function patchTypeRefused(req: Request, res: Response, accepted: readonly string[]): boolean {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (accepted.includes(type)) return false;
  sendError(
    res,
    415,
    'UnsupportedMediaType',
    `PATCH takes ${accepted.join(' or ')}, not ${type || 'no content type'}`,
  );
  return true;
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
    const auth = req.get('authorization') ?? '';
    const expiry = deps.store.tokens.get(auth.replace(/^Bearer /, ''));
    if (!auth.startsWith('Bearer ') || expiry === undefined || expiry <= Date.now()) {
      return sendError(
        res,
        401,
        'SoAuthenticationException',
        'access token is missing, invalid or expired',
      );
    }
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

function webhookApi(router: Router, deps: ApiDeps): void {
  let nextId = 1;
  const publicView = (h: SimWebhook) => {
    const { consecutiveErrors: _c, lastError: _l, ...rest } = h;
    return rest;
  };
  /** The webhook of `:id`, or a 404 already sent. */
  const found = (req: Request, res: Response): SimWebhook | undefined => {
    const hook = deps.webhooks.get(Number(req.params.id));
    if (!hook)
      sendError(res, 404, 'SoNotFoundException', `webhook ${String(req.params.id)} not found`);
    return hook;
  };
  /** Stores an updated definition; setting State back to Active clears the error count. */
  const store = (res: Response, next: Record<string, unknown>, current: SimWebhook) => {
    const hook = fromBody(next, current);
    if (hook.State === 'Active') hook.consecutiveErrors = 0;
    deps.webhooks.set(hook.WebhookId, hook);
    res.json(publicView(hook));
  };
  const fromBody = (body: Record<string, unknown>, base?: SimWebhook): SimWebhook => {
    const now = deps.state.stamp(new Date());
    return {
      WebhookId: base?.WebhookId ?? 0,
      Name: text(body.Name, base?.Name ?? ''),
      Events: Array.isArray(body.Events) ? body.Events.map(String) : (base?.Events ?? []),
      TargetUrl: text(body.TargetUrl, base?.TargetUrl ?? ''),
      Secret: typeof body.Secret === 'string' ? body.Secret : (base?.Secret ?? null),
      State:
        (['Unknown', 'Active', 'Stopped', 'TooManyErrors'] as const).find(
          (s) => s === body.State,
        ) ??
        base?.State ??
        'Active',
      Type: text(body.Type, base?.Type ?? 'webhook'),
      Headers: (body.Headers as Record<string, string> | null | undefined) ?? base?.Headers ?? null,
      Properties:
        (body.Properties as Record<string, unknown> | null | undefined) ?? base?.Properties ?? null,
      ErrorsEmail:
        typeof body.ErrorsEmail === 'string' ? body.ErrorsEmail : (base?.ErrorsEmail ?? null),
      Registered: base?.Registered ?? now,
      Updated: now,
      consecutiveErrors: base?.consecutiveErrors ?? 0,
      lastError: base?.lastError ?? null,
    };
  };

  router.get('/v1/Webhook', (req, res) => {
    const status = text(req.query.statusFilter, 'Unknown');
    const name = text(req.query.nameFilter, '');
    const event = text(req.query.eventFilter, '');
    res.json(
      [...deps.webhooks.values()]
        .filter(
          (h) =>
            (status === 'Unknown' || h.State === status) &&
            h.Name.includes(name) &&
            (event === '' || h.Events.includes(event)),
        )
        .map(publicView),
    );
  });
  router.get('/v1/Webhook/:id/LastError', (req, res) => {
    const hook = found(req, res);
    if (hook) res.json(hook.lastError ?? '');
  });
  router.get('/v1/Webhook/:id', (req, res) => {
    const hook = found(req, res);
    if (hook) res.json(publicView(hook));
  });
  router.post('/v1/Webhook', async (req, res) => {
    const hook = fromBody((req.body ?? {}) as Record<string, unknown>);
    if (!/^https?:\/\//.test(hook.TargetUrl))
      return sendError(res, 400, 'SoArgumentException', 'TargetUrl must be an http(s) URL');
    // SuperOffice pings TargetUrl with a `test` event and refuses to save unless it answers 200.
    const status = await deps.dispatcher.sendTest(hook);
    if (status !== 200)
      return sendError(
        res,
        400,
        'WebhookTestFailed',
        `TargetUrl answered ${status ?? 'nothing'} to the test event`,
      );
    hook.WebhookId = nextId++;
    deps.webhooks.set(hook.WebhookId, hook);
    res.json(publicView(hook));
  });
  // POST /Webhook/Test: ping a definition's TargetUrl with a `test` event; saves nothing.
  router.post('/v1/Webhook/Test', async (req, res) => {
    const hook = fromBody((req.body ?? {}) as Record<string, unknown>);
    if (!/^https?:\/\//.test(hook.TargetUrl))
      return sendError(res, 400, 'SoArgumentException', 'TargetUrl must be an http(s) URL');
    const status = await deps.dispatcher.sendTest(hook);
    res.json({
      Success: status === 200,
      Message: status === undefined ? 'no response from TargetUrl' : `HTTP ${status}`,
    });
  });
  router.put('/v1/Webhook/:id', (req, res) => {
    const current = found(req, res);
    if (current) store(res, (req.body ?? {}) as Record<string, unknown>, current);
  });
  router.patch('/v1/Webhook/:id', (req, res) => {
    if (patchTypeRefused(req, res, deps.faults.patchContentTypes)) return;
    const current = found(req, res);
    if (!current) return;
    try {
      const next = Array.isArray(req.body)
        ? applyJsonPatch(publicView(current), req.body as PatchOperation[])
        : (applyMergePatch(publicView(current), req.body) as Record<string, unknown>);
      store(res, next, current);
    } catch (error) {
      if (error instanceof PatchError)
        return sendError(res, error.status, 'PatchTestFailed', error.message);
      throw error;
    }
  });
  router.delete('/v1/Webhook/:id', (req, res) => {
    if (found(req, res) && deps.webhooks.delete(Number(req.params.id))) res.status(204).end();
  });
}
