export { aTenant } from '../src/testing';

/** The error `run` throws, checked to be of `type` (so a test can assert on its fields). */
export function thrownBy<E extends Error>(
  run: () => unknown,
  type: new (...args: never[]) => E,
): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}`);
}
