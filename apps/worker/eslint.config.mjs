import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/worker',
  tsconfigRootDir: import.meta.dirname,
});
