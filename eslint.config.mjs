// typescript-eslint over src, webview, test and scripts (type-unaware rules: fast, no project service).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['bin/**', 'out/**', 'dist/**', 'node_modules/**', '.code-server/**', 'test/fixtures/**', 'serve/**', 'demo/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core stays free of the vscode API (ARCHITECTURE.md, Core).' }] }],
    },
  },
);
