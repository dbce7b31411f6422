// Shared flat config. The architecture rules of DESIGN.md ("Layout") and STYLE.md principle 14
// are encoded here so that a boundary violation is a lint error, not a review comment.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports that only some workspaces may use. `allow` lists the package names that may. */
const restricted = [
  {
    name: 'axios',
    allow: ['@so-connector/superoffice-client', '@so-connector/enrichment'],
    message: 'Only superoffice-client (and enrichment providers) talk HTTP to the outside.',
  },
  {
    name: 'bullmq',
    allow: [
      '@so-connector/queue',
      '@so-connector/receiver',
      '@so-connector/worker',
      '@so-connector/cli',
      '@so-connector/testing',
      '@so-connector/bench',
      '@so-connector/e2e',
    ],
    message: 'BullMQ is used only by packages/queue and the apps.',
  },
];

function restrictedImportsFor(pkgName) {
  const paths = restricted
    .filter((r) => !r.allow.includes(pkgName))
    .map((r) => ({ name: r.name, message: r.message }));
  const patterns = [
    { group: ['@bull-board/*'], message: 'Bull Board belongs to the receiver only.' },
    {
      group: ['@so-connector/*/src', '@so-connector/*/src/*', '@so-connector/*/dist/*'],
      message: 'Import a package by its name; its src/index.ts is its only public surface.',
    },
    {
      group: ['@so-connector/receiver', '@so-connector/worker', '@so-connector/cli'],
      message: 'Nothing imports an app.',
    },
    {
      group: ['../../packages/*', '../../../packages/*', '../../apps/*', '../../../apps/*'],
      message: 'Import workspace packages by name, never by relative path.',
    },
  ].filter((p) => !(pkgName === '@so-connector/receiver' && p.group[0] === '@bull-board/*'));
  return { paths, patterns };
}

/**
 * @param {{ packageName: string, tsconfigRootDir: string, allowProcessEnv?: boolean }} options
 */
export function config({ packageName, tsconfigRootDir, allowProcessEnv = false }) {
  return tseslint.config(
    { ignores: ['dist/**', 'coverage/**', '*.config.*', 'eslint.config.mjs'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        globals: { ...globals.node },
        parserOptions: { project: './tsconfig.json', tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-misused-promises': 'error',
        '@typescript-eslint/switch-exhaustiveness-check': 'error',
        '@typescript-eslint/require-await': 'error',
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
        ],
        eqeqeq: ['error', 'always'],
        'no-restricted-imports': ['error', restrictedImportsFor(packageName)],
        'no-restricted-properties': allowProcessEnv
          ? 'off'
          : [
              'error',
              {
                object: 'process',
                property: 'env',
                message:
                  'Read configuration through @so-connector/config loadConfig(env), called in main.ts.',
              },
            ],
      },
    },
    {
      files: ['**/*.test.ts', 'test/**/*.ts'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/unbound-method': 'off',
        // jest's asymmetric matchers (expect.any, expect.objectContaining) are typed any.
        '@typescript-eslint/no-unsafe-assignment': 'off',
        // supertest's res.body is any by design; tests assert on it.
        '@typescript-eslint/no-unsafe-member-access': 'off',
        '@typescript-eslint/no-unsafe-return': 'off',
        // Tests pass PATH and settings to the processes they start.
        'no-restricted-properties': 'off',
      },
    },
  );
}
