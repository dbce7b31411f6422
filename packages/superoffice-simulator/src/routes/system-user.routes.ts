import express, { type Request, type Response, type Router } from 'express';
import type { CallCounters } from '../counters';
import { SYSTEM_USER_REFUSAL_STATUS } from '../inferred';
import type { AuthenticateRequest, SystemUserState } from '../system-user';

/**
 * `POST /Login/api/PartnerSystemUser/Authenticate` (superoffice-api.md 5.5) and the JWKS that
 * validates its JWT, `GET /login/.well-known/jwks` (5.1). Success: `{ IsSuccessful: true, Token }`;
 * a refusal: `{ IsSuccessful: false, ErrorMessage }` (inferred.ts).
 */
export function systemUserRoutes(deps: {
  systemUser: SystemUserState;
  counters: CallCounters;
}): Router {
  const router = express.Router();
  router.post(
    '/Login/api/PartnerSystemUser/Authenticate',
    express.text({ type: () => true, limit: '64kb' }),
    (req: Request, res: Response) => {
      deps.counters.hit('POST PartnerSystemUser/Authenticate');
      let body: AuthenticateRequest;
      try {
        body = JSON.parse(typeof req.body === 'string' ? req.body : '') as AuthenticateRequest;
      } catch {
        res.status(400).json({ IsSuccessful: false, ErrorMessage: 'the request body is not JSON' });
        return;
      }
      const outcome = deps.systemUser.authenticate(body ?? {});
      if (!outcome.ok) {
        res.status(SYSTEM_USER_REFUSAL_STATUS).json({
          IsSuccessful: false,
          ErrorMessage: `${outcome.reason}: ${outcome.message}`,
          Token: null,
        });
        return;
      }
      res.json({ IsSuccessful: true, ErrorMessage: '', Token: outcome.jwt });
    },
  );
  router.get('/login/.well-known/jwks', (_req, res) => {
    deps.counters.hit('GET jwks');
    res.json(deps.systemUser.jwks());
  });
  return router;
}
