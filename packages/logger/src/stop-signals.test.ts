import { trapStopSignals, type StopSignals } from './stop-signals';

let sut: StopSignals | undefined;
afterEach(() => sut?.release());

/** A registry stand-in whose shutdown resolves when the test says so. */
function registry() {
  const calls: string[] = [];
  let finish: (clean: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => (finish = resolve));
  return { calls, finish, shutdown: (reason: string) => (calls.push(reason), done) };
}

describe('trapStopSignals', () => {
  it('exits 0 at once on a signal that comes before a registry is attached', () => {
    const exits: number[] = [];
    sut = trapStopSignals((code) => exits.push(code));
    process.emit('SIGTERM');
    expect(exits).toEqual([0]);
    expect(sut.received).toBe(true);
  });

  it('runs the attached registry once and exits with 0 when it was clean, 1 when not', async () => {
    for (const [clean, code] of [
      [true, 0],
      [false, 1],
    ] as const) {
      const exits: number[] = [];
      sut = trapStopSignals((c) => exits.push(c));
      const target = registry();
      sut.attach(target);
      process.emit('SIGINT');
      process.emit('SIGTERM');
      expect(target.calls).toEqual(['SIGINT']);
      expect(exits).toEqual([]);
      target.finish(clean);
      await new Promise((resolve) => setImmediate(resolve));
      expect(exits).toEqual([code]);
      sut.release();
    }
  });

  it('runs a registry attached after the signal came', async () => {
    const exits: number[] = [];
    sut = trapStopSignals((code) => exits.push(code));
    process.emit('SIGTERM');
    exits.length = 0; // nothing was attached yet: that exit 0 is the case above
    const target = registry();
    sut.attach(target);
    expect(target.calls).toEqual(['SIGTERM']);
    target.finish(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([0]);
  });
});
