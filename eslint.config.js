import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.temporal/', '.venv*/', 'test-results/', '.data/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A promise nobody awaits loses its error (and, in workflow code, can reorder commands).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, clocks or randomness of its own.
    files: [
      'src/workflows/**/*.ts',
      'src/batch/{workflow,state,definitions}.ts',
      'src/schedule/{run-workflow,run-state,run-batch,definitions,template}.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'] },
            {
              group: ['**/hai/client*', '**/activities', '**/activities/*', 'zod', 'ajv*', 'undici'],
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
