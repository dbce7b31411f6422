import { config } from '@so-connector/eslint-config';

// Test helpers read REDIS_URL and DOCKER_HOST to find a Redis for the suite; they never ship.
export default config({
  packageName: '@so-connector/testing',
  tsconfigRootDir: import.meta.dirname,
  allowProcessEnv: true,
});
