// Lint for the whole tree (npm run lint; .ci/run runs it). typescript-eslint's recommended rules,
// and one rule of our own: SQL lives under persistence/ (a repository), never in a controller,
// a domain service or a handler, so a reader looks for it in one place.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Where `.query(` may be called outside an app's persistence/: the libraries' own storage (outbox, inbox, address erasure, health). */
const LIBRARY_PERSISTENCE = [
  'libs/messaging/src/outbox.ts',
  'libs/messaging/src/outbox-relay.ts',
  'libs/messaging/src/event-consumer.ts',
  'libs/messaging/src/consumer/**',
  'libs/service/src/address-erasure.ts',
  'libs/service/src/admin.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.run/**', 'coverage/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // unused parameters named _x are intended (a handler's signature); rest siblings drop fields on purpose
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      // Nest's decorators and class-validator's need empty classes and merged declarations
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
      // a `let` read by a closure before its one assignment (a cleanup registered early) is not a const
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/persistence/**', '**/*.spec.ts', ...LIBRARY_PERSISTENCE],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'SQL belongs in a repository under persistence/: add a method there and call it.',
        },
      ],
    },
  },
  {
    // rows straight from SQL are loosely typed until a repository maps them
    files: ['**/persistence/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // plain Node scripts and tool configuration (CommonJS)
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // tests, benchmarks and scripts: fakes and loosely typed fixtures are fine there
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
