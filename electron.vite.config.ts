import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

const here = (path: string): string => resolve(import.meta.dirname, path)

export default defineConfig({
  main: {
    build: {
      // better-sqlite3 is a native module: it must stay a runtime require, never bundled.
      externalizeDeps: true,
      rollupOptions: {
        // Workers are bundles of their own beside index.js (core/worker-script.ts finds them): the
        // import reader (core/import-reader.ts), the export writer (core/export-in-worker.ts) and
        // the integrity check (core/db/integrity.ts).
        input: {
          index: here('src-main/index.ts'),
          'import-reader-worker': here('src-main/core/import-reader-worker.ts'),
          'export-worker': here('src-main/core/export-worker.ts'),
          'integrity-worker': here('src-main/core/db/integrity-worker.ts')
        },
        external: ['better-sqlite3']
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot require node_modules: bundle everything into one file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: here('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: here('src-renderer'),
    plugins: [react()],
    build: {
      // electron-vite leaves the renderer unminified; the JavaScript budget counts what ships.
      minify: true,
      rollupOptions: {
        input: { index: here('src-renderer/index.html') }
      }
    }
  }
})
