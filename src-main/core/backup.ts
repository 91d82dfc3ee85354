import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { removeStaleTemporaries, syncFolder, temporaryBeside } from './files'
import { DomainError } from './errors'
import type { Store } from './store'

/**
 * Copy the open database to `targetPath` with SQLite's online backup API: a consistent snapshot
 * even while the app keeps writing. The copy goes to a temporary file beside the target, is
 * checked and flushed, then renamed over it, so a failure never leaves half a backup under the
 * chosen name (nor touches a file already there).
 */
export async function backupToFile(store: Store, targetPath: string): Promise<{ path: string; bytes: number }> {
  const folder = dirname(targetPath)
  await removeStaleTemporaries(folder)
  const temporary = temporaryBeside(targetPath)
  const tempPath = temporary.path
  try {
    await store.sqlite.backup(tempPath)
    checkCopy(tempPath)
    const file = await open(tempPath, 'r+')
    let bytes: number
    try {
      await file.sync()
      bytes = (await file.stat()).size
    } finally {
      await file.close()
    }
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

/**
 * A backup nobody can restore is worse than none: read the copy back before it gets the name.
 * The copy is also made one self-contained file (rollback journal, no `-wal` beside it); the app
 * turns WAL on again when it opens the file.
 */
function checkCopy(file: string): void {
  const copy = new BetterSqlite3(file, { fileMustExist: true })
  try {
    copy.pragma('journal_mode = DELETE')
    const result: unknown = copy.pragma('quick_check', { simple: true })
    if (result !== 'ok') {
      throw new DomainError('database', `The backup could not be read back (${String(result)}); nothing was saved.`)
    }
  } finally {
    copy.close()
  }
}
