// The fault-injection suite (docs/faults.md): `pnpm test:faults`. It runs the built processes like
// the e2e tier, with the e2e project's settings, and is kept out of `pnpm test` because it takes
// minutes.
const base = require('./jest.config.js');

const e2e = base.projects.find((project) => project.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: base.testTimeout,
  projects: [
    { ...e2e, displayName: 'faults', testMatch: ['<rootDir>/e2e/faults/**/*.faults.test.ts'] },
  ],
};
