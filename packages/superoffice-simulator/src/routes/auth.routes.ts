import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import type { AuthorizationServer } from '../authorization-code';
import type { CallCounters } from '../counters';

export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** The app's registered redirect URI (authorization-code flow); more with `oauth.redirectUris`. */
  readonly redirectUri?: string | undefined;
}

export interface TokenStore {
  /** access token → expiry (ms since epoch) */
  readonly tokens: Map<string, number>;
  expiresInSeconds: number;
}

/**
 * `POST /login/common/oauth/tokens` (refresh_token and authorization_code grants; parameters in the form body or the query,
 * both appear in SuperOffice's material) and `GET /api/state/{ctx}`.
 */
export function authRoutes(deps: {
  client: OAuthClient;
  store: TokenStore;
  counters: CallCounters;
  contextIdentifier: string;
  apiBase: () => string;
  oauth: AuthorizationServer;
}): Router {
  const router = express.Router();
  router.post('/login/common/oauth/tokens', express.urlencoded({ extended: false }), (req, res) => {
    deps.counters.hit('POST token');
    const params = {
      ...(req.query as Record<string, string>),
      ...((req.body as Record<string, string> | undefined) ?? {}),
    };
    if (params.grant_type !== 'refresh_token' && params.grant_type !== 'authorization_code') {
      res.status(400).json({
        error: 'unsupported_grant_type',
        error_description: 'only refresh_token and authorization_code are supported',
      });
      return;
    }
    if (
      params.client_id !== deps.client.clientId ||
      params.client_secret !== deps.client.clientSecret
    ) {
      res
        .status(401)
        .json({ error: 'invalid_client', error_description: 'client authentication failed' });
      return;
    }
    const issue = () => {
      const token = `8A:${deps.contextIdentifier}.${randomBytes(24).toString('base64url')}`;
      deps.store.tokens.set(token, Date.now() + deps.store.expiresInSeconds * 1000);
      return token;
    };
    if (params.grant_type === 'authorization_code') {
      const grant = deps.oauth.exchange(params);
      if (!grant.ok) {
        res.status(400).json({ error: grant.error, error_description: grant.description });
        return;
      }
      res.json({
        token_type: 'Bearer',
        access_token: issue(),
        expires_in: deps.store.expiresInSeconds,
        refresh_token: grant.refreshToken,
        id_token: grant.idToken,
      });
      return;
    }
    if (params.refresh_token !== deps.client.refreshToken) {
      res
        .status(400)
        .json({ error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' });
      return;
    }
    const token = issue();
    // No new refresh_token: SuperOffice's refresh response does not carry one (superoffice-api.md 5.2).
    res.json({
      token_type: 'Bearer',
      access_token: token,
      expires_in: deps.store.expiresInSeconds,
    });
  });
  router.get('/api/state/:ctx', (req, res) => {
    deps.counters.hit('GET state');
    if (req.params.ctx !== deps.contextIdentifier) {
      res
        .status(404)
        .json({ ContextIdentifier: req.params.ctx, State: 'Unknown', IsRunning: false });
      return;
    }
    const api = deps.apiBase();
    res.json({
      ContextIdentifier: deps.contextIdentifier,
      Endpoint: api.replace(/\/api$/, ''),
      State: 'Running',
      IsRunning: true,
      ValidUntil: new Date(Date.now() + 10 * 60_000).toISOString(),
      Api: api,
      Version: 'Simulator_1.0',
    });
  });
  return router;
}
