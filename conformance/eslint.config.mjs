import { config } from '@so-connector/eslint-config';

export default config({
  packageName: '@so-connector/conformance',
  tsconfigRootDir: import.meta.dirname,
});
