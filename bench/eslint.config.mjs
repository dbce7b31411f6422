import { config } from '@so-connector/eslint-config';

// Benchmarks configure the processes they start through the environment.
export default config({
  packageName: '@so-connector/bench',
  tsconfigRootDir: import.meta.dirname,
  allowProcessEnv: true,
});
