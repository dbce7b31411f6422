import { PassThrough } from 'node:stream';
import { createLogger } from './create-logger';
import { assertStarting, createShutdownRegistry, StartAbortedError } from './shutdown';

const logger = createLogger({
  component: 'test',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

describe('createShutdownRegistry', () => {
  it('runs steps once, in reverse order of registration', async () => {
    const order: string[] = [];
    const sut = createShutdownRegistry(logger, 1000);
    sut.register('redis', () => Promise.resolve(void order.push('redis')));
    sut.register('http server', () => Promise.resolve(void order.push('http server')));
    const [first, second] = await Promise.all([sut.shutdown('SIGTERM'), sut.shutdown('SIGINT')]);
    expect(order).toEqual(['http server', 'redis']);
    expect([first, second]).toEqual([true, true]);
  });

  it('gives up on a step that outlives the deadline and still runs the rest', async () => {
    const order: string[] = [];
    const sut = createShutdownRegistry(logger, 50);
    sut.register('redis', () => Promise.resolve(void order.push('redis')));
    sut.register('stuck', () => new Promise<void>(() => undefined));
    expect(await sut.shutdown('SIGTERM')).toBe(false);
    expect(order).toEqual(['redis']);
  });

  it('reports a failing step as unclean', async () => {
    const sut = createShutdownRegistry(logger, 1000);
    sut.register('broken', () => Promise.reject(new Error('boom')));
    expect(await sut.shutdown('SIGTERM')).toBe(false);
  });
});

describe('createShutdownRegistry while start-up is still going', () => {
  it('is stopping from the first shutdown() on, and assertStarting then throws', async () => {
    const sut = createShutdownRegistry(logger, 1000);
    expect(sut.stopping).toBe(false);
    expect(() => assertStarting(sut)).not.toThrow();
    const done = sut.shutdown('SIGTERM');
    expect(sut.stopping).toBe(true);
    expect(() => assertStarting(sut)).toThrow(StartAbortedError);
    await done;
  });

  it('closes a step registered during the run in the same run, and one registered after at once', async () => {
    const order: string[] = [];
    const sut = createShutdownRegistry(logger, 1000);
    sut.register('redis', () => Promise.resolve(void order.push('redis')));
    sut.register('slow', () => {
      sut.register('late queue', () => Promise.resolve(void order.push('late queue')));
      return Promise.resolve(void order.push('slow'));
    });
    expect(await sut.shutdown('SIGTERM')).toBe(true);
    expect(order).toEqual(['slow', 'late queue', 'redis']);
    sut.register('after', () => Promise.resolve(void order.push('after')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['slow', 'late queue', 'redis', 'after']);
  });
});
