// The fault-injection suite (docs/faults.md): `pnpm test:faults`. It runs the built processes like
// the e2e tier, with the e2e project's settings, and is kept out of `pnpm test` because it takes
// minutes.
const base = require('./jest.config.js');

const e2e = base.projects.find((project) => project.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: base.testTimeout,
  // One scenario at a time: they load the machine (a load average near 9 on 2 cores with two at
  // once) and several measure how long the healthy part keeps going during the fault; with two
  // workers partitions.faults failed its "the tenants on the other masters go on" check (2026-12-04).
  maxWorkers: 1,
  projects: [
    { ...e2e, displayName: 'faults', testMatch: ['<rootDir>/e2e/faults/**/*.faults.test.ts'] },
  ],
};
