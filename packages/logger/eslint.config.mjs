import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/logger',
  tsconfigRootDir: import.meta.dirname,
});
