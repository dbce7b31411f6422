import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/enrichment',
  tsconfigRootDir: import.meta.dirname,
});
