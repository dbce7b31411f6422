import { loadCliConfig } from '@so-connector/config';
import {
  makeTestCertificates,
  startRedisServer,
  type RedisServer,
  type TestCertificates,
} from '@so-connector/testing';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '../src';

// redis-server with --tls-port (Debian's build has TLS), a private CA made with openssl.
let certs: TestCertificates;
let server: RedisServer;
beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startRedisServer({ tls: certs });
}, 30_000);
afterAll(async () => {
  await server.dispose();
  certs.dispose();
});

function firstOutcome(redis: Redis): Promise<string> {
  return new Promise((resolve) => {
    redis.once('ready', () => resolve('ready'));
    redis.once('error', (error: Error) => resolve(error.message));
  });
}

describe('rediss:// with REDIS_TLS_CA_FILE', () => {
  it('connects over TLS trusting the private CA, as the ACL user', async () => {
    const admin = createRedisConnection(
      loadCliConfig({
        SO_CONTEXT_IDENTIFIER: 'Cust1',
        REDIS_URL: server.url,
        REDIS_TLS_CA_FILE: certs.caFile,
      }).redis,
      { role: 'worker' },
    );
    await admin.call('ACL', 'SETUSER', 'tls-user', 'on', '>pw-tls-user-1', '~*', '+@all');
    admin.disconnect();
    expect(server.url).toMatch(/^rediss:\/\//);
    const redis = createRedisConnection(
      loadCliConfig({
        SO_CONTEXT_IDENTIFIER: 'Cust1',
        REDIS_URL: server.url,
        REDIS_TLS_CA_FILE: certs.caFile,
        REDIS_USERNAME: 'tls-user',
        REDIS_PASSWORD: 'pw-tls-user-1',
      }).redis,
      { role: 'producer' },
    );
    try {
      expect(await firstOutcome(redis)).toBe('ready');
      await redis.set('tls-key', 'over tls');
      expect(await redis.get('tls-key')).toBe('over tls');
      expect(await redis.call('ACL', 'WHOAMI')).toBe('tls-user');
    } finally {
      redis.disconnect();
    }
  });

  it('without the CA file the server certificate is refused', async () => {
    const redis = createRedisConnection(
      loadCliConfig({ SO_CONTEXT_IDENTIFIER: 'Cust1', REDIS_URL: server.url }).redis,
      { role: 'producer' },
    );
    try {
      expect(await firstOutcome(redis)).toMatch(/self[- ]signed certificate|unable to verify/);
    } finally {
      redis.disconnect();
    }
  });
});
