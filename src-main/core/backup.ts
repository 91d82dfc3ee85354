import { open, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Worker } from 'node:worker_threads'
import { removeStaleTemporaries, syncFolder, temporaryBeside } from './files'
import { DomainError } from './errors'
import type { Store } from './store'

/**
 * Copy the open database to `targetPath` with SQLite's online backup API: a consistent snapshot
 * even while the app keeps writing. The copy is made a few megabytes at a time, handing the event
 * loop back between steps, so the app keeps answering while a large file is copied, and reports
 * its progress and stops when cancelled. It goes to a temporary file beside the target, is
 * checked (on a worker thread, as the check reads the whole copy) and flushed, then renamed over
 * it, so a failure or a cancel never leaves half a backup under the chosen name (nor touches a
 * file already there).
 */
export async function backupToFile(
  store: Store,
  targetPath: string,
  control: BackupControl = {}
): Promise<{ path: string; bytes: number }> {
  const folder = dirname(targetPath)
  await removeStaleTemporaries(folder)
  const temporary = temporaryBeside(targetPath)
  const tempPath = temporary.path
  const stopIfCancelled = (): void => {
    if (control.signal?.aborted) throw new DomainError('cancelled', 'The backup was cancelled; nothing was saved.')
  }
  try {
    stopIfCancelled()
    const { totalPages } = await store.sqlite.backup(tempPath, {
      progress: ({ totalPages: total, remainingPages }) => {
        stopIfCancelled()
        control.onProgress?.(total - remainingPages, total)
        return PAGES_PER_STEP
      }
    })
    // The last step reports nothing of its own.
    control.onProgress?.(totalPages, totalPages)
    stopIfCancelled()
    await checkCopy(tempPath, control.signal)
    const file = await open(tempPath, 'r+')
    let bytes: number
    try {
      await file.sync()
      bytes = (await file.stat()).size
    } finally {
      await file.close()
    }
    stopIfCancelled()
    await rename(tempPath, targetPath)
    await syncFolder(folder)
    return { path: targetPath, bytes }
  } catch (error) {
    await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(tempPath + suffix, { force: true })))
    throw error
  } finally {
    temporary.release()
  }
}

export interface BackupControl {
  signal?: AbortSignal
  /** Pages copied so far of the database's pages. */
  onProgress?(done: number, total: number): void
}

/** 256 pages (1 MB at the default page size) per step: a millisecond or two of copying between turns. */
const PAGES_PER_STEP = 256

// The check runs in a worker with its own connection to the copy; the module is found from here.
const SQLITE_MODULE = createRequire(import.meta.url).resolve('better-sqlite3')
const CHECK_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const copy = new Database(workerData.file, { fileMustExist: true })
let result
try {
  copy.pragma('journal_mode = DELETE')
  result = String(copy.pragma('quick_check', { simple: true }))
} catch (error) {
  result = error instanceof Error ? error.message : String(error)
} finally {
  copy.close()
}
parentPort.postMessage(result)
`

/**
 * A backup nobody can restore is worse than none: read the copy back before it gets the name.
 * The copy is also made one self-contained file (rollback journal, no `-wal` beside it); the app
 * turns WAL on again when it opens the file.
 */
function checkCopy(file: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECK_SOURCE, { eval: true, workerData: { file, module: SQLITE_MODULE } })
    const cancel = (): void => {
      void worker.terminate()
      reject(new DomainError('cancelled', 'The backup was cancelled; nothing was saved.'))
    }
    signal?.addEventListener('abort', cancel, { once: true })
    worker.once('message', (result: unknown) => {
      signal?.removeEventListener('abort', cancel)
      if (result === 'ok') resolve()
      else reject(new DomainError('database', `The backup could not be read back (${String(result)}); nothing was saved.`))
    })
    worker.once('error', (error) => {
      signal?.removeEventListener('abort', cancel)
      reject(error)
    })
  })
}
