import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { DomainError } from '../errors'
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
 * A damaged file, a file from a newer version or another application's database is refused
 * with a clear error and left exactly as it was.
 */
export async function openDatabaseFile(file: string, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const inMemory = file === ':memory:'
  const existed = !inMemory && existsSync(file) && statSync(file).size > 0
  if (options.mustExist && !existed) throw refuse(`${file} does not exist or is empty`)

  const sqlite = new BetterSqlite3(file)
  try {
    const fromVersion = inspect(sqlite, file, existed)
    let backupFile: string | null = null
    if (fromVersion < LATEST_VERSION) {
      if (existed && fromVersion > 0) {
        checkIntegrity(sqlite, file)
        backupFile = await backup(sqlite, file, fromVersion, options.backupDir ?? dirname(file))
      }
      configure(sqlite, inMemory)
      migrate(sqlite, fromVersion)
    } else {
      configure(sqlite, inMemory)
    }
    return { sqlite, fromVersion, backupFile }
  } catch (error) {
    sqlite.close()
    throw error
  }
}

/** Read the file's identity and version without writing anything. */
function inspect(sqlite: BetterSqlite3.Database, file: string, existed: boolean): number {
  let applicationId: number
  let version: number
  let tables: number
  try {
    applicationId = Number(sqlite.pragma('application_id', { simple: true }))
    version = Number(sqlite.pragma('user_version', { simple: true }))
    tables = Number(sqlite.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get())
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw refuse(`${basename(file)} is damaged or not a database (${reason}). Open another file or restore a backup.`)
  }
  if (!existed || (tables === 0 && applicationId === 0 && version === 0)) return 0
  if (applicationId !== APPLICATION_ID) {
    throw refuse(`${basename(file)} is not a Rolekeeper database. Open another file.`)
  }
  if (version > LATEST_VERSION) {
    throw refuse(
      `${basename(file)} was written by a newer version of Rolekeeper (database version ${version}, this app knows ${LATEST_VERSION}). Update Rolekeeper or open another file.`
    )
  }
  return version
}

function checkIntegrity(sqlite: BetterSqlite3.Database, file: string): void {
  let result: unknown
  try {
    result = sqlite.pragma('quick_check', { simple: true })
  } catch (error) {
    result = error instanceof Error ? error.message : String(error)
  }
  if (result !== 'ok') {
    throw refuse(`${basename(file)} is damaged (${String(result)}). Restore a backup or open another file.`)
  }
}

function configure(sqlite: BetterSqlite3.Database, inMemory: boolean): void {
  if (!inMemory) sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Searches and pages at 1,000,000 users read rows scattered over the file. Mapping the whole
  // file (SQLite's limit is 2 GB) serves those reads from the operating system's cache, shared
  // and given back under pressure; the page cache, which is this process's own memory, then only
  // has to hold what a write changes (16 MB: a change set's pages without spilling), so it stays small.
  sqlite.pragma('cache_size = -16384')
  if (!inMemory) sqlite.pragma('mmap_size = 2147418112')
  // FULL: a committed change survives a power cut, which is what an admin expects of a save.
  sqlite.pragma('synchronous = FULL')
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
