import { accessSync, constants, existsSync, readdirSync, statSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { DomainError } from '../errors'
import { checkIntegrity, type IntegrityControl } from './integrity'
import { LATEST_VERSION, migrations } from './migrations'

/** Marks a file as a Rolekeeper database (`PRAGMA application_id`, "RKPR"). */
export const APPLICATION_ID = 0x524b5052

/** Pre-migration backups kept beside the database; older ones are removed. */
export const BACKUPS_KEPT = 3

export interface OpenDatabaseOptions {
  /** Where pre-migration backups go; defaults to the database's folder. */
  backupDir?: string
  /** Open an existing file only; never create one (used when the admin opens another file). */
  mustExist?: boolean
  /** Progress and cancelling of the integrity check an existing file gets first. */
  integrity?: IntegrityControl
}

export interface OpenedDatabase {
  sqlite: BetterSqlite3.Database
  /** The version the file had before this open (0 for a new file). */
  fromVersion: number
  /** Path of the backup taken before migrating, if one was. */
  backupFile: string | null
}

const refuse = (message: string): DomainError => new DomainError('database', message)

/**
 * Open (or create) a Rolekeeper database, refuse what must not be touched, back up and migrate.
 * An existing file is first looked at read-only: one that cannot be written (file or folder), is
 * another application's, comes from a newer version or fails the integrity check is refused
 * with a clear error and a way out, and left exactly as it was; only then is it opened for
 * writing.
 */
export async function openDatabaseFile(file: string, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const inMemory = file === ':memory:'
  const existed = !inMemory && existsSync(file) && statSync(file).size > 0
  if (options.mustExist && !existed) throw refuse(`${file} does not exist or is empty`)

  let fromVersion = 0
  if (!inMemory) refuseReadOnly(file, existed)
  if (existed) {
    fromVersion = inspectReadOnly(file)
    await checkIntegrity(file, options.integrity)
  }

  const sqlite = new BetterSqlite3(file)
  try {
    let backupFile: string | null = null
    if (fromVersion < LATEST_VERSION) {
      if (existed && fromVersion > 0) backupFile = await backup(sqlite, file, fromVersion, options.backupDir ?? dirname(file))
      configure(sqlite, inMemory)
      migrate(sqlite, fromVersion)
    } else {
      configure(sqlite, inMemory)
    }
    return { sqlite, fromVersion, backupFile }
  } catch (error) {
    sqlite.close()
    // Permissions changed between the look and the open: SQLite then opens read-only in silence.
    if (isReadOnlyError(error)) throw refuse(readOnlyMessage(file, 'file'))
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Read-only files and folders

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS'])

/** True for SQLite's "attempt to write a readonly database" and its kin. */
export function isReadOnlyError(error: unknown): boolean {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined
  return (
    typeof code === 'string' && (code === 'SQLITE_READONLY' || (code.startsWith('SQLITE_READONLY_') && code !== 'SQLITE_READONLY_DBMOVED'))
  )
}

/**
 * What to say when the database (`what`: the file or its folder) cannot be written: that it is
 * read-only and how to fix it, never as damage. `atWrite`: a change was being saved.
 */
export function readOnlyMessage(file: string, what: 'file' | 'folder', atWrite = false): string {
  const folder = dirname(file)
  const fix =
    process.platform === 'win32'
      ? `clear “Read-only” in the Properties of ${what === 'file' ? basename(file) : `the folder ${folder}`}, or ask for write permission to it`
      : `give yourself write permission to ${what === 'file' ? `${basename(file)} (for example chmod u+w)` : `the folder ${folder}`}`
  const subject =
    what === 'file'
      ? `${basename(file)} is read-only`
      : `The folder ${folder} is read-only (Rolekeeper keeps the database’s journal files beside it)`
  const outcome = atWrite ? 'so the change was not saved' : 'so Rolekeeper cannot save changes to it; it was not opened'
  return `${subject}, ${outcome}. To fix it, ${fix}; or copy the file to a folder you can write to and open the copy.`
}

/** Refuse a database Rolekeeper could read but not save to, before SQLite opens it read-only in silence. */
function refuseReadOnly(file: string, existed: boolean): void {
  const targets: Array<[string, 'file' | 'folder']> = [[dirname(file), 'folder']]
  if (existed) targets.unshift([file, 'file'], [`${file}-wal`, 'file'], [`${file}-shm`, 'file'])
  for (const [path, what] of targets) {
    try {
      accessSync(path, constants.W_OK)
    } catch (error) {
      const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined
      if (typeof code === 'string' && DENIED.has(code)) throw refuse(readOnlyMessage(file, what))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What the file is

/** Read the file's identity and version on a read-only connection, so nothing can be written. */
function inspectReadOnly(file: string): number {
  let sqlite: BetterSqlite3.Database
  try {
    sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw notADatabase(file, error)
  }
  try {
    return inspect(sqlite, file)
  } finally {
    sqlite.close()
  }
}

const notADatabase = (file: string, error: unknown): DomainError =>
  refuse(
    `${basename(file)} is damaged or not a database (${error instanceof Error ? error.message : String(error)}). It was not opened and nothing in it was changed. Open another file or restore a backup.`
  )

/** The file's version; refuses another application's file and one from a newer version. */
function inspect(sqlite: BetterSqlite3.Database, file: string): number {
  let applicationId: number
  let version: number
  let tables: number
  try {
    applicationId = Number(sqlite.pragma('application_id', { simple: true }))
    version = Number(sqlite.pragma('user_version', { simple: true }))
    tables = Number(sqlite.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get())
  } catch (error) {
    throw notADatabase(file, error)
  }
  if (tables === 0 && applicationId === 0 && version === 0) return 0
  if (applicationId !== APPLICATION_ID) {
    throw refuse(`${basename(file)} is not a Rolekeeper database. It was not opened and nothing in it was changed. Open another file.`)
  }
  if (version > LATEST_VERSION) {
    throw refuse(
      `${basename(file)} was written by a newer version of Rolekeeper (database version ${version}, this app knows ${LATEST_VERSION}). It was not opened and nothing in it was changed. Update Rolekeeper or open another file.`
    )
  }
  return version
}

// ---------------------------------------------------------------------------------------------
// Opening for writing

function configure(sqlite: BetterSqlite3.Database, inMemory: boolean): void {
  if (!inMemory) sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Searches and pages at 1,000,000 users read rows scattered over the file. Mapping the whole
  // file (SQLite's limit is 2 GB) serves those reads from the operating system's cache, shared
  // and given back under pressure; the page cache, which is this process's own memory, then only
  // has to hold what a write changes, so it stays small (16 MB). A change set writes its rows
  // and leaves the role-ordered indexes to catch up in small slices (core/role-index.ts), so
  // no write needs more. (Before that, a change set of 20,000 members at 1,000,000 users
  // dirtied about 18,000 index pages; a 256 MB cache made it 15–20 % faster but left about
  // 126 MB more anonymous memory in the process after shrink_memory.)
  sqlite.pragma('cache_size = -16384')
  if (!inMemory) sqlite.pragma('mmap_size = 2147418112')
  // FULL: a committed change survives a power cut, which is what an admin expects of a save.
  sqlite.pragma('synchronous = FULL')
}

/**
 * A second connection on an open database, read-only: in WAL mode it reads what was last
 * committed, whatever transaction the writing connection holds open meanwhile. Its page cache is
 * small; the mapped file serves its reads.
 */
export function openReadConnection(file: string): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('cache_size = -4096')
  sqlite.pragma('mmap_size = 2147418112')
  return sqlite
}

function migrate(sqlite: BetterSqlite3.Database, fromVersion: number): void {
  for (let version = fromVersion; version < LATEST_VERSION; version++) {
    const migration = migrations[version]
    if (!migration) throw new Error(`Migration ${version + 1} is missing`)
    // Each migration is atomic: its schema changes and the version bump commit together.
    sqlite
      .transaction(() => {
        migration.up(sqlite)
        sqlite.pragma(`application_id = ${APPLICATION_ID}`)
        sqlite.pragma(`user_version = ${version + 1}`)
      })
      .immediate()
  }
}

/** Copy the file with SQLite's online backup API before it is migrated; keep the last few. */
async function backup(sqlite: BetterSqlite3.Database, file: string, fromVersion: number, backupDir: string): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const prefix = `${basename(file)}.v${fromVersion}-`
  const target = join(backupDir, `${prefix}${stamp}.backup`)
  await sqlite.backup(target)
  const older = readdirSync(backupDir)
    .filter((name) => name.startsWith(`${basename(file)}.v`) && name.endsWith('.backup'))
    .sort()
  for (const name of older.slice(0, Math.max(0, older.length - BACKUPS_KEPT))) {
    unlinkSync(join(backupDir, name))
  }
  return target
}
