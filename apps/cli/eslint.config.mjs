import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/cli',
  tsconfigRootDir: import.meta.dirname,
});
