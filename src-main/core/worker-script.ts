import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Worker bundles electron.vite.config.ts builds beside the main bundle. */
export type WorkerName = 'import-reader-worker' | 'export-worker'

/**
 * A worker's script beside the main bundle (the app, the browser host after a build), or null
 * where none has been built (a test run straight from the sources): then the work runs in line.
 */
export function builtWorker(name: WorkerName): URL | null {
  const candidates = [new URL(`./${name}.js`, import.meta.url), new URL(`../../out/main/${name}.js`, import.meta.url)]
  return candidates.find((candidate) => candidate.protocol === 'file:' && existsSync(fileURLToPath(candidate))) ?? null
}
