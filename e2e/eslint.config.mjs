import { config } from '@so-connector/eslint-config';

// Whole-system tests pass PATH and Redis settings to the processes they start.
export default config({
  packageName: '@so-connector/e2e',
  tsconfigRootDir: import.meta.dirname,
  allowProcessEnv: true,
});
