import express, { type Router } from 'express';
import type { CallCounters } from '../counters';
import { sendError } from '../errors';
import type { TenantState } from '../tenant-state';
import type { EntityKind } from '../tenant-types';

const KIND: Record<string, EntityKind> = { contact: 'contact', person: 'person' };

/**
 * `/sim/...`: what a human does in the SuperOffice UI, for the demo and tools over HTTP. Changes are
 * made as the associate in `X-Sim-Associate` (default: the first human of the seed), so they come
 * back as webhooks that are not the connector's echoes. Unauthenticated: this is a test double.
 */
export function adminRoutes(deps: { state: TenantState; counters: CallCounters }): Router {
  const router = express.Router();
  router.use(express.json());
  const associate = (header: string | undefined) =>
    header && /^\d+$/.test(header) ? Number(header) : (deps.state.humans[0]?.associateId ?? 1);
  router.post('/sim/:entity', (req, res) => {
    const kind = KIND[req.params.entity.toLowerCase()];
    if (!kind) return sendError(res, 404, 'SoNotFoundException', 'unknown entity');
    res.json(
      deps.state.create(
        kind,
        (req.body ?? {}) as Record<string, unknown>,
        associate(req.get('x-sim-associate')),
      ),
    );
  });
  router.patch('/sim/:entity/:id', (req, res) => {
    const kind = KIND[req.params.entity.toLowerCase()];
    const current = kind ? deps.state.get(kind, Number(req.params.id)) : undefined;
    if (!kind || !current) return sendError(res, 404, 'SoNotFoundException', 'not found');
    res.json(
      deps.state.save(
        kind,
        Number(req.params.id),
        { ...current, ...(req.body as Record<string, unknown>) },
        associate(req.get('x-sim-associate')),
      ),
    );
  });
  // `{"readable": true | false | 403 | 404}`: see TenantState.setListReadable.
  router.put('/sim/lists/:name/readable', (req, res) => {
    const readable: unknown = (req.body as { readable?: unknown } | undefined)?.readable;
    if (readable !== true && readable !== false && readable !== 403 && readable !== 404)
      return sendError(res, 400, 'SoArgumentException', 'readable must be true, false, 403 or 404');
    deps.state.setListReadable(req.params.name, readable);
    res.json({ list: req.params.name, readable });
  });
  router.get('/sim/counters', (_req, res) => {
    res.json(deps.counters.snapshot());
  });
  return router;
}
