import { Router } from 'express';

export interface HealthDeps {
  /** True when Redis answers PING in time. */
  readonly redisReady: () => Promise<boolean>;
  readonly spoolWritable: () => Promise<boolean>;
}

/** /healthz: the process runs. /readyz: an accepted event can be made durable (Redis or spool). */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [redis, spool] = await Promise.all([deps.redisReady(), deps.spoolWritable()]);
    const body = { redis: redis ? 'up' : 'down', spool: spool ? 'writable' : 'unwritable' };
    if (redis) res.json({ status: 'ready', ...body });
    else if (spool) res.json({ status: 'degraded', ...body });
    else res.status(503).json({ status: 'unavailable', ...body });
  });
  return router;
}
