import { PassThrough } from 'node:stream';
import { createLogger } from './create-logger';
import { createShutdownRegistry } from './shutdown';

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
