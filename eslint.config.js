import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

// The dependency rules of HOUSE_STYLE.md, enforced: core is pure, only storage knows SQL,
// and the edges (http, web, cli, worker) talk to services rather than to storage.
const zones = [
  {
    target: './src/core',
    from: './src',
    except: ['./core'],
    message: 'core/ is pure: it imports nothing outside itself.',
  },
  {
    target: './src/providers',
    from: './src',
    // config.ts: each provider folder parses its own settings (<name>.config.ts) with its Reader.
    // bouncemail/: the bounce-mail provider is the webhook face of that parser (one floor, no I/O).
    except: ['./providers', './core', './config.ts', './bouncemail'],
    message: 'providers/ may import only core/, config.ts and (for bounce-mail) bouncemail/.',
  },
  {
    target: './src/bouncemail',
    from: './src',
    except: ['./bouncemail', './core'],
    message: 'bouncemail/ may import only core/.',
  },
  {
    target: './src/mailbox',
    from: './src',
    except: ['./mailbox', './core', './config.ts'],
    message: 'mailbox/ holds protocol clients: it may import only core/ and config types.',
  },
  {
    target: './src/client',
    from: './src',
    except: ['./client'],
    message:
      'client/ ships as the bouncer/client and bouncer/nodemailer subpaths: it imports no server code.',
  },
  {
    target: './src/storage',
    from: [
      './src/services',
      './src/http',
      './src/web',
      './src/cli',
      './src/worker',
      './src/providers',
      './src/bouncemail',
      './src/mailbox',
    ],
    message: 'storage/ is the bottom floor: it imports core/ and config types only.',
  },
  {
    target: './src/services',
    from: ['./src/http', './src/web', './src/cli', './src/worker'],
    message: 'services/ are called by the edges, never the other way round.',
  },
  {
    target: './src/http',
    from: './src/storage',
    message: 'http/ goes through services/, not storage/.',
  },
  {
    target: './src/web',
    from: './src/storage',
    message: 'web/ goes through services/, not storage/.',
  },
  {
    target: './src/cli',
    from: './src/storage',
    except: ['./database.ts'],
    message:
      'cli/ goes through services/, not storage/ (opening the database is the one exception).',
  },
  {
    target: './src/worker',
    from: './src/storage',
    except: ['./queue', './database.ts'],
    message: 'worker/ goes through services/; only the queue operations are its own.',
  },
];

// Only storage/ knows SQL and the drivers (HOUSE_STYLE dependency rule 3).
const DRIVER_IMPORTS = {
  paths: [
    { name: 'kysely', message: 'Only src/storage/ imports kysely.' },
    { name: 'better-sqlite3', message: 'Only src/storage/ imports better-sqlite3.' },
    { name: 'pg', message: 'Only src/storage/ imports pg.' },
    { name: 'node:sqlite', message: 'Only src/storage/ imports node:sqlite.' },
  ],
  patterns: [
    { group: ['kysely/*', 'pg/*', 'pg-*'], message: 'Only src/storage/ imports database drivers.' },
  ],
};

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'bench/.data/**',
      'src/web/dist/**',
      'coverage/**',
      '.test-build/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Sources import `./x.js` that is `./x.ts` on disk: without this alias the zones below
      // resolve nothing and pass vacuously (test/lint/layers.test.ts guards it).
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.js', '.mjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
        }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // Payload fields are unknown JSON; String(v) on them is deliberate (scalars in practice).
      '@typescript-eslint/no-base-to-string': 'off',
      'import-x/no-restricted-paths': ['error', { zones }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**'],
    rules: { 'no-restricted-imports': ['error', DRIVER_IMPORTS] },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
