import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/sync-runs',
  tsconfigRootDir: import.meta.dirname,
});
