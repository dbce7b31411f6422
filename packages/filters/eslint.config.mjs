import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/filters',
  tsconfigRootDir: import.meta.dirname,
});
