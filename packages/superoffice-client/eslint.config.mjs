import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/superoffice-client',
  tsconfigRootDir: import.meta.dirname,
});
