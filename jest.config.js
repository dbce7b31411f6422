// One jest project per test tier (STYLE.md principle 8): `pnpm test` runs all of them,
// `pnpm test:unit` / `pnpm test:int` one tier. Code runs as CommonJS, as the apps run it;
// @swc/jest strips types (type checking is `pnpm typecheck`'s job). The fault-injection suite
// has its own config (jest.faults.config.js, `pnpm test:faults`): it takes minutes.
/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
// Workspace packages are tested from source, so a test never runs a stale build of a dependency.
const moduleNameMapper = { '^@so-connector/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' };
const common = { rootDir: __dirname, transform, moduleNameMapper, testEnvironment: 'node' };
/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start Redis and processes; unit tests finish in milliseconds either way.
  testTimeout: 30000,
  // Two test files at a time, whatever the machine (jest's default is one per core but one, so
  // one on a 2-core machine). Most files wait on Redis, child processes and timers rather than on
  // the CPU: on 2 cores the suite took 769 s with one worker and 400 s with two, each file about
  // as long as alone (2026-12-04, `jest --json` and `jest --maxWorkers=2 --json`). The fault suite
  // stays at one (jest.faults.config.js).
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,packages}/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,packages}/*/test/**/*.int.test.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e.test.ts'] },
    // SuperOffice's documented sample payloads against the client, codec and simulator (conformance/README.md).
    {
      ...common,
      displayName: 'conformance',
      testMatch: ['<rootDir>/conformance/**/*.conformance.test.ts'],
    },
  ],
};
