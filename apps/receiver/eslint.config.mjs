import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/receiver',
  tsconfigRootDir: import.meta.dirname,
});
