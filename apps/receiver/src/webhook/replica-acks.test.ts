import { ReplicaAcks, ReplicasBehindError } from './replica-acks';

/**
 * A connection whose WAIT replies the test hands out: `calls` counts the WAITs sent, `answer(n)`
 * settles the newest one still open with `n` acknowledgements.
 */
function fakeConnection() {
  const open: ((acked: number) => void)[] = [];
  const connection = {
    calls: 0,
    call: (..._args: unknown[]) => {
      connection.calls++;
      return new Promise<unknown>((resolve) => open.push(resolve));
    },
    answer(acked: number) {
      const next = open.pop();
      if (!next) throw new Error('no WAIT is waiting for an answer');
      next(acked);
    },
  };
  return connection;
}

/** A flag that turns true once `promise` has settled either way. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ReplicaAcks', () => {
  it('shares one WAIT among the callers waiting for it, and sends the next one when it returns', async () => {
    const connection = fakeConnection();
    const acks = new ReplicaAcks(connection, { replicas: 1, timeoutMs: 500 });
    const first = acks.confirm();
    const second = acks.confirm();
    const third = acks.confirm();
    expect(connection.calls).toBe(1);
    connection.answer(1);
    await expect(first).resolves.toBeUndefined();
    // Both arrived while the first WAIT was out (maybe before their writes): one more WAIT for both.
    await jest.advanceTimersByTimeAsync(0);
    expect(connection.calls).toBe(2);
    connection.answer(1);
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('refuses while fewer replicas acknowledge than required, without asking again until the backoff ends', async () => {
    const connection = fakeConnection();
    const acks = new ReplicaAcks(connection, { replicas: 1, timeoutMs: 500, backoffMs: 2000 });
    const short = acks.confirm();
    connection.answer(0);
    await expect(short).rejects.toThrow(
      '0 of 1 Redis replica(s) acknowledged the event within 500 ms',
    );
    // Refused with the last WAIT's answer (the spool drainer logs a reason once until it changes).
    await expect(acks.confirm()).rejects.toThrow(
      new ReplicasBehindError('0 of 1 Redis replica(s) acknowledged the event within 500 ms'),
    );
    expect(connection.calls).toBe(1);
    await jest.advanceTimersByTimeAsync(2001);
    const again = acks.confirm();
    expect(connection.calls).toBe(2);
    connection.answer(1);
    await expect(again).resolves.toBeUndefined();
  });

  it('gives up on a WAIT that is never answered, and the next caller gets a fresh WAIT', async () => {
    const connection = fakeConnection();
    const acks = new ReplicaAcks(connection, {
      replicas: 1,
      timeoutMs: 500,
      answerWithinMs: 1500,
      backoffMs: 1000,
    });
    const lost = acks.confirm();
    const behind = acks.confirm(); // waits for the lost one's successor
    const lostState = watch(lost);
    const behindState = watch(behind);
    await jest.advanceTimersByTimeAsync(1499);
    expect([lostState.settled, behindState.settled]).toEqual([false, false]);
    await jest.advanceTimersByTimeAsync(1);
    await expect(lost).rejects.toThrow('Redis did not answer WAIT within 1500 ms');
    await expect(behind).rejects.toThrow('Redis did not answer WAIT within 1500 ms');
    expect(connection.calls).toBe(1);

    await jest.advanceTimersByTimeAsync(1000);
    const fresh = acks.confirm();
    expect(connection.calls).toBe(2);
    connection.answer(1);
    await expect(fresh).resolves.toBeUndefined();
    // The lost WAIT's late answer changes nothing, and no timer is left behind.
    connection.answer(0);
    await jest.advanceTimersByTimeAsync(0);
    const next = acks.confirm();
    expect(connection.calls).toBe(3);
    connection.answer(1);
    await expect(next).resolves.toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
  });
});
