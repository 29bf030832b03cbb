// ESLint flat config. Layout is prettier's job (eslint-config-prettier turns off the rules
// that would fight it). ESLint checks what prettier does not: sorted imports, that code only
// imports packages it declares, and the line limit for comments (prettier wraps code at 110
// but never rewraps a comment). String literals may run long: an error message split over
// lines cannot be found with grep.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdktf.out/',
      '**/cdktf.out/',
      'docs/api/',
      '.gen/',
      '.scratch/',
      'test/bench/.build/',
      'test/e2e/signin/node_modules/',
      'test/e2e/deploy/node_modules/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    plugins: { 'import-x': importX, 'simple-import-sort': simpleImportSort },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      // Tests, examples and scripts may use devDependencies; lib/ may not (below). The
      // sign-in suite has packages of its own and uses the root's too.
      'import-x/no-extraneous-dependencies': [
        'error',
        {
          devDependencies: true,
          peerDependencies: true,
          packageDir: [import.meta.dirname, `${import.meta.dirname}/test/e2e/signin`],
        },
      ],
      'max-len': [
        'error',
        {
          code: 150,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
        },
      ],
      // `_name` marks a binding kept on purpose (a destructured field left out of a spread).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // What lib/ imports ships to users: only the bundled dependencies and the peers.
    files: ['lib/**/*.ts'],
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: false, peerDependencies: true, packageDir: import.meta.dirname },
      ],
    },
  },
  {
    // Tests read synthesized JSON of many shapes; lib/ itself stays free of `any`.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
