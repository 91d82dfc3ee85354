import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { WorkerOptions } from 'node:worker_threads'
import { DomainError, type ErrorCode } from './errors'

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

/**
 * How a built worker is started: its bundle as it is, with none of the flags the process was
 * started with. Inherited, a loader that transforms sources (a run from the sources, such as the
 * bench's) would be set up again in the worker and see every module it loads: the export worker
 * then took 400–430 ms to be ready instead of 200–210 ms.
 */
export const BUILT_WORKER_OPTIONS = { execArgv: [] } as const satisfies WorkerOptions

/** How a worker says its work ended badly: a refusal the user is shown as it is, or a failure. */
export type WorkerFailure =
  { kind: 'refused'; code: ErrorCode; message: string; fields?: Record<string, string> } | { kind: 'failed'; message: string }

export function workerFailure(error: unknown): WorkerFailure {
  if (error instanceof DomainError) {
    return { kind: 'refused', code: error.code, message: error.message, ...(error.fields && { fields: error.fields }) }
  }
  return { kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
}
