import type { Request, Response, Router } from 'express';
import type { SimWebhook } from '../dispatch';
import { sendError } from '../errors';
import { applyJsonPatch, applyMergePatch, PatchError, type PatchOperation } from '../json-patch';
import type { ApiDeps } from './api.routes';
import { patchTypeRefused, text } from './request-helpers';

/** The Webhook API (superoffice-api.md 4): list, read, create (after a test ping), test, update, delete. */
export function webhookApi(router: Router, deps: ApiDeps): void {
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
