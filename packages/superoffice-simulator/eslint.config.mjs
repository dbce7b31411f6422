import { config } from '@so-connector/eslint-config';

// The standalone simulator (src/main.ts) is configured by SIM_* variables of its own: it is a test
// double, not part of the product, and must not depend on the product's config package.
export default config({
  packageName: '@so-connector/superoffice-simulator',
  tsconfigRootDir: import.meta.dirname,
  allowProcessEnv: true,
});
