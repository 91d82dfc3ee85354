import { builtinModules } from 'node:module'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import { defineConfig } from 'eslint/config'

// Bare Node builtins (fs, path, crypto…); `node:*` is caught by a pattern below.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'))

export default defineConfig(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', '.bench/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }]
    }
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The renderer reaches the machine only through window.rolekeeper.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through window.rolekeeper.' },
            { name: 'better-sqlite3', message: 'The renderer never touches the database directly.' },
            ...nodeBuiltins.map((name) => ({ name, message: 'No Node modules in the renderer.' }))
          ],
          patterns: [
            { group: ['node:*'], message: 'No Node modules in the renderer.' },
            { group: ['better-sqlite3/*', 'electron/*'], message: 'Not available in the renderer.' },
            {
              // One road to the main side's vocabulary: the contract's types and the core's renderer-safe modules.
              regex: 'src-main/(?!ipc/contract$|core/(model|rules|errors)$)',
              message: 'The renderer imports from src-main only the contract (types) and core/model, core/rules, core/errors.'
            },
            { regex: 'src-main/ipc/contract$', allowTypeImports: true, message: 'Import the contract for types only.' }
          ]
        }
      ]
    }
  },
  {
    // Runs in the page the browser host serves.
    files: ['src-main/host/page-shim.ts'],
    languageOptions: { globals: { ...globals.browser } }
  },
  {
    files: ['src-main/core/**/*.ts'],
    rules: {
      // The core is plain Node and owns its shapes, so tests, the bench and the browser host can run it.
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The core must not depend on Electron.' }],
          patterns: [
            { group: ['electron/*'], message: 'The core must not depend on Electron.' },
            {
              group: ['**/ipc', '**/ipc/*', '**/shell', '**/shell/*', '**/host', '**/host/*'],
              message: 'The core must not depend on the transport or the shell.'
            }
          ]
        }
      ]
    }
  }
)
