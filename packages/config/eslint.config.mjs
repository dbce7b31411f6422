import { config } from '@so-connector/eslint-config';

// The config package is the only place allowed to read process.env.
export default config({
  packageName: '@so-connector/config',
  tsconfigRootDir: import.meta.dirname,
  allowProcessEnv: true,
});
