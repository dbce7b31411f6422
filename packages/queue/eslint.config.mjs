import { config } from '@so-connector/eslint-config';

export default config({ packageName: '@so-connector/queue', tsconfigRootDir: import.meta.dirname });
