import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open, readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Replace `file` with `content` so that a crash or a full disk leaves either the old file or the
 * new one, never half of it: write a temporary file beside it, flush it, rename it into place.
 */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const descriptor = openSync(temporary, 'wx', 0o600)
    try {
      writeSync(descriptor, content)
      fsyncSync(descriptor)
    } finally {
      closeSync(descriptor)
    }
    renameSync(temporary, file)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
}

/** Make a rename durable where the platform allows opening a folder (not Windows). */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Best effort: the file's own contents were already flushed before the rename.
  }
}

// ---------------------------------------------------------------------------------------------
// Hidden temporary files beside a target (exports, backups)

/**
 * `.<target name>.<pid>.<12 hex>.part`, and SQLite's journal files of one (a backup copy); the
 * pid is left out by earlier versions.
 */
const TEMPORARY = /^\..+?\.(?:(\d+)\.)?[0-9a-f]{12}\.part(?:-wal|-shm|-journal)?$/
/** A temporary file nobody has written to for this long belongs to no running export or backup. */
export const STALE_AFTER_MS = 60 * 60 * 1000

/** The temporary files this process is writing now: never stale, whatever their age. */
const writing = new Set<string>()

/**
 * A hidden temporary path beside `target` in its folder, so the final rename stays on one file
 * system. It names this process, so a later cleanup can tell a killed writer's leftovers from a
 * running one's. Call `release` once it is renamed or removed.
 */
export function temporaryBeside(target: string): { path: string; release(): void } {
  const path = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.part`)
  writing.add(path)
  return { path, release: () => void writing.delete(path) }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return error instanceof Error && Reflect.get(error, 'code') === 'EPERM'
  }
}

/**
 * Remove what killed exports and backups left in `folder`: temporary files of a process that no
 * longer runs, or (an older version's, or another running process's) untouched for an hour.
 * Best effort: a folder that cannot be listed, or a file already gone, is no failure of the
 * write that asked. Returns the names removed.
 */
export async function removeStaleTemporaries(folder: string, now = Date.now()): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    const match = TEMPORARY.exec(name)
    if (!match) continue
    const path = join(folder, name)
    if (writing.has(path.replace(/-(?:wal|shm|journal)$/, ''))) continue
    const pid = match[1] === undefined ? null : Number(match[1])
    try {
      const abandoned = pid !== null && pid !== process.pid && !isRunning(pid)
      if (!abandoned && now - (await stat(path)).mtimeMs < STALE_AFTER_MS) continue
      await rm(path, { force: true })
      removed.push(name)
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed
}
