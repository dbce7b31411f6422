import axios from 'axios';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import {
  fixedTenantUrl,
  RefreshTokenAuth,
  statusTenantUrl,
  SuperOfficeClient,
  type CallRecord,
  type UdfWriteMode,
} from '../src';

export interface SimClientOptions {
  resolve?: 'status' | 'fixed';
  writeMode?: UdfWriteMode;
  clientSecret?: string;
  calls?: CallRecord[];
  beforeCall?: () => Promise<void>;
}

/** A client of the simulated tenant, authenticated as the simulator's OAuth client. */
export function clientOf(sim: RunningSimulator, options: SimClientOptions = {}) {
  const http = axios.create({ timeout: 5000 });
  const auth = new RefreshTokenAuth({
    http,
    tokenUrl: sim.tokenUrl,
    clientId: sim.client.clientId,
    clientSecret: options.clientSecret ?? sim.client.clientSecret,
    refreshToken: sim.client.refreshToken,
  });
  const tenant =
    options.resolve === 'fixed'
      ? fixedTenantUrl(sim.apiBaseUrl())
      : statusTenantUrl({ http, statusUrl: sim.statusUrl });
  return new SuperOfficeClient({
    auth,
    tenant,
    http,
    ...(options.writeMode ? { udfWriteMode: options.writeMode } : {}),
    ...(options.calls ? { onCall: (call: CallRecord) => options.calls!.push(call) } : {}),
    ...(options.beforeCall ? { beforeCall: options.beforeCall } : {}),
  });
}
