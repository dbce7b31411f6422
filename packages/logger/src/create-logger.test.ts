import { PassThrough } from 'node:stream';
import { createLogger, logSecretValues, REDACTED } from './index';
import { RETIRED_SECRET_GRACE_MS } from './secret-values';

function capture(secrets: string[] = []) {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) =>
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  const logger = createLogger({
    component: 'receiver',
    level: 'debug',
    format: 'json',
    secrets,
    destination: stream,
  });
  return {
    logger,
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

async function flushed(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('createLogger', () => {
  it('writes one JSON line with component, level, message and timestamp', async () => {
    const sut = capture();
    sut.logger.info('webhook received', { outcome: 'accepted' });
    await flushed();
    expect(sut.parsed()).toEqual([
      expect.objectContaining({
        component: 'receiver',
        level: 'info',
        message: 'webhook received',
        outcome: 'accepted',
        timestamp: expect.any(String),
      }),
    ]);
  });

  it('carries the EventId of a child logger on every line', async () => {
    const sut = capture();
    const child = sut.logger.child({ eventId: '8337ae4a-1dd6-40fd-8dc7-a050664a0af7' });
    child.info('one');
    child.warn('two');
    await flushed();
    expect(sut.parsed().map((l) => l.eventId)).toEqual([
      '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
      '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
    ]);
  });

  it('redacts sensitive keys, URL credentials and known secret values before output', async () => {
    const secret = 'Something Super Secret';
    const sut = capture([secret]);
    sut.logger.warn(`failed with secret ${secret} inside`, {
      signature: 'gdik2Gsiu/KRsrjdVhuNrV1qglx57iW/uP8YT0IV3p8=',
      headers: { Authorization: 'Bearer 8A:Cust1.abc', 'x-superoffice-signature': 'abc=' },
      redis: 'redis://user:hunter2@redis.internal:6379',
      nested: { deeper: [{ clientSecret: 'x', note: `echo ${secret}` }] },
    });
    await flushed();
    const output = sut.lines.join('\n');
    expect(output).not.toContain(secret);
    expect(output).not.toContain('gdik2Gsiu');
    expect(output).not.toContain('8A:Cust1.abc');
    expect(output).not.toContain('hunter2');
    const [line] = sut.parsed();
    expect(line).toMatchObject({
      message: `failed with secret ${REDACTED} inside`,
      signature: REDACTED,
      headers: { Authorization: REDACTED, 'x-superoffice-signature': REDACTED },
      redis: `redis://user:${REDACTED}@redis.internal:6379`,
      nested: { deeper: [{ clientSecret: REDACTED, note: `echo ${REDACTED}` }] },
    });
  });

  it('redacts values added after it was made (a tenant’s), through its children too, and for a grace period after they are deleted', async () => {
    const sut = capture(['environment-secret']);
    const child = sut.logger.child({ tenant: 'Cust2' });
    const values = logSecretValues(child);
    expect(values).toBe(logSecretValues(sut.logger));
    values!.replace('Cust2', ['cust2-refresh-token-value', 'cust2-webhook-secret']);
    child.info('token refresh failed for cust2-refresh-token-value', {
      detail: { body: 'secret=cust2-webhook-secret' },
    });
    values!.delete('Cust2');
    child.info('after removal: cust2-refresh-token-value');
    values!.current(Date.now() + RETIRED_SECRET_GRACE_MS);
    child.info('after the grace period: cust2-refresh-token-value');
    await flushed();
    expect(sut.parsed()).toEqual([
      expect.objectContaining({
        message: `token refresh failed for ${REDACTED}`,
        detail: { body: `secret=${REDACTED}` },
      }),
      expect.objectContaining({ message: `after removal: ${REDACTED}` }),
      expect.objectContaining({ message: 'after the grace period: cust2-refresh-token-value' }),
    ]);
  });

  it('respects the level', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (c: Buffer) => lines.push(c.toString()));
    const sut = createLogger({
      component: 'x',
      level: 'warn',
      format: 'json',
      destination: stream,
    });
    sut.info('hidden');
    sut.warn('shown');
    await flushed();
    expect(lines.join('')).not.toContain('hidden');
    expect(lines.join('')).toContain('shown');
  });
});
