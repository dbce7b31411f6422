import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/tenants',
  tsconfigRootDir: import.meta.dirname,
});
