import { GroupCommit } from './group-commit';

/** A write that takes until it is released, recording what each call carried. */
function gatedWrites(fail: (items: readonly number[]) => boolean = () => false) {
  const calls: number[][] = [];
  const written: number[] = [];
  const gates: (() => void)[] = [];
  const write = (items: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push([...items]);
      gates.push(() => {
        if (fail(items)) {
          reject(new Error(`refused ${items.join(',')}`));
        } else {
          written.push(...items);
          resolve();
        }
      });
    });
  const releaseAll = async () => {
    // Releases writes as they come, until no more are waiting.
    for (let i = 0; i < 100; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const gate = gates.shift();
      if (!gate) return;
      gate();
    }
  };
  return { calls, written, write, releaseAll };
}

describe('GroupCommit', () => {
  it('puts the items added while a write is in flight into the next write, each once', async () => {
    const writes = gatedWrites();
    const sut = new GroupCommit<number>(writes.write);
    const settled: number[] = [];
    const adds = Array.from({ length: 10 }, (_, i) => sut.add(i).then(() => settled.push(i)));
    // The first tick's items go together; the rest wait for that write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(writes.calls).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    const late = [sut.add(10), sut.add(11)];
    expect(settled).toEqual([]);
    await writes.releaseAll();
    await Promise.all([...adds, ...late]);
    expect(writes.calls).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11],
    ]);
    expect(writes.written.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('resolves an add only once the write holding its item has succeeded', async () => {
    const writes = gatedWrites();
    const sut = new GroupCommit<number>(writes.write);
    let done = false;
    const add = sut.add(1).then(() => (done = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(writes.calls).toEqual([[1]]);
    expect(done).toBe(false);
    await writes.releaseAll();
    await add;
    expect(done).toBe(true);
  });

  it('rejects exactly the adds of a failed write; later ones are written', async () => {
    const writes = gatedWrites((items) => items.includes(2));
    const sut = new GroupCommit<number>(writes.write, 2);
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4].map((n) => sut.add(n)).concat([writes.releaseAll().then(() => undefined)]),
    );
    // maxBatch 2: [1, 2] fails together, [3, 4] is written.
    expect(writes.calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(outcomes.slice(0, 4).map((o) => o.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(writes.written).toEqual([3, 4]);
  });

  it('is idle once nothing waits', async () => {
    const writes = gatedWrites();
    const sut = new GroupCommit<number>(writes.write);
    void sut.add(1);
    let idle = false;
    const waiting = sut.idle().then(() => (idle = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    await writes.releaseAll();
    await waiting;
    expect(writes.written).toEqual([1]);
  });

  it('writes a late item with the next eager write, starting none of its own', async () => {
    const writes = gatedWrites();
    const sut = new GroupCommit<number>(writes.write);
    const late = sut.addLater(100, 60_000);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(writes.calls).toEqual([]);
    const eager = sut.add(1);
    await writes.releaseAll();
    await Promise.all([late, eager]);
    expect(writes.calls).toEqual([[100, 1]]);
  });

  it('writes a late item alone once its wait is over, and on idle()', async () => {
    const writes = gatedWrites();
    const sut = new GroupCommit<number>(writes.write);
    const alone = sut.addLater(7, 1);
    // Nothing but the timer starts this write.
    while (writes.calls.length === 0) await new Promise<void>((resolve) => setTimeout(resolve, 1));
    await writes.releaseAll();
    await alone;
    expect(writes.calls).toEqual([[7]]);
    const onIdle = sut.addLater(8, 60_000);
    const idle = sut.idle();
    await writes.releaseAll();
    await Promise.all([onIdle, idle]);
    expect(writes.calls).toEqual([[7], [8]]);
  });
});
