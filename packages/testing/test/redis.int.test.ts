import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, useTestRedis } from '../src';

describe('useTestRedis', () => {
  const saved = { REDIS_URL: process.env.REDIS_URL };
  afterEach(() => {
    process.env.REDIS_URL = saved.REDIS_URL;
    if (saved.REDIS_URL === undefined) delete process.env.REDIS_URL;
  });

  it('uses REDIS_URL when set, with a key prefix of its own, and deletes only its keys', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url);
    try {
      process.env.REDIS_URL = server.url;
      await client.set('someone-else:key', '1');
      const sut = await useTestRedis();
      expect(sut.url).toBe(server.url);
      expect(sut.prefix).toMatch(/^test-[0-9a-f]{10}$/);
      await client.set(`${sut.prefix}:a`, '1');
      await sut.cleanup();
      expect(await client.exists(`${sut.prefix}:a`)).toBe(0);
      expect(await client.exists('someone-else:key')).toBe(1);
    } finally {
      client.disconnect();
      await server.dispose();
    }
  });

  it('spawns a private redis-server when REDIS_URL is unset', async () => {
    delete process.env.REDIS_URL;
    const sut = await useTestRedis();
    const client = new Redis(sut.url);
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
      await sut.cleanup();
    }
  });

  it('fails at once with one line saying how to get Redis when there is none', () => {
    if (existsSync('/var/run/docker.sock') || process.env.DOCKER_HOST) return; // Docker would be the third way
    // A fresh process whose PATH has no redis-server, running the built helper.
    const helper = join(__dirname, '..', 'dist', 'index.js');
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(helper)}).useTestRedis().then(() => process.exit(0), (e) => { process.stderr.write(e.message); process.exit(3); })`,
      ],
      { env: { PATH: '/nonexistent' }, encoding: 'utf8' },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toBe(
      'no Redis for the tests: set REDIS_URL, install redis-server (apt-get install redis-server), or run a Docker engine',
    );
  });

  it('fails at once when REDIS_URL does not answer', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    await expect(useTestRedis()).rejects.toThrow(
      'REDIS_URL=redis://127.0.0.1:1 does not answer PING',
    );
  });
});
