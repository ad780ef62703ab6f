import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

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
    except: ['./providers', './core'],
    message: 'providers/ may import only core/.',
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
    message: 'cli/ goes through services/, not storage/.',
  },
];

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
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
