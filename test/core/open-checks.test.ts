/**
 * What opening a database file checks before anything may write to it: its integrity (every
 * open, not only before a migration), in a worker or on the main thread, with progress and
 * cancel; and whether the file and its folder can be written at all.
 */
import { createHash, randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openDatabaseFile } from '../../src-main/core/db/open'
import { checkIntegrity } from '../../src-main/core/db/integrity'
import { DomainError } from '../../src-main/core/errors'
import { createHandlerMap } from '../../src-main/ipc/handlers'
import { createStore, openStore } from '../../src-main/core/store'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'

const cleanups: Array<() => void> = []
afterEach(() => {
  vi.restoreAllMocks()
  cleanups
    .splice(0)
    .reverse()
    .forEach((cleanup) => cleanup())
})

function folder(): ReturnType<typeof tempDir> {
  const made = tempDir('rolekeeper-open-')
  cleanups.push(made.cleanup)
  return made
}

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex')

/** A closed Rolekeeper database with `users` users, a few MB of b-tree pages. */
async function populated(path: string, users = 20_000): Promise<void> {
  const store = await openStore({ file: path, inviteKeys: await testInviteKeys() })
  store.sqlite
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO users (id, email, email_key, first_name, last_name, status, created_at, updated_at)
       SELECT printf('00000000-0000-4000-8000-%012d', i), printf('user%d@example.org', i), printf('user%d@example.org', i),
              printf('First%d', i), printf('Last%d', i), 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n`
    )
    .run(users)
  store.close()
}

/** Overwrite `count` pages in the middle of the file with noise, as a bad disk sector or a stray write would. */
function damageMiddlePages(path: string, count = 4): void {
  const sqlite = new BetterSqlite3(path, { readonly: true })
  const pageSize = Number(sqlite.pragma('page_size', { simple: true }))
  const pages = Number(sqlite.pragma('page_count', { simple: true }))
  // A leaf of the users table in the middle of the file, so the damage is in live data.
  const page = sqlite
    .prepare<[number], number>("SELECT pageno FROM dbstat WHERE name = 'users' AND pagetype = 'leaf' ORDER BY abs(pageno - ?) LIMIT 1")
    .pluck()
    .get(Math.floor(pages / 2))
  sqlite.close()
  if (page === undefined) throw new Error('No leaf page to damage')
  const descriptor = openSync(path, 'r+')
  try {
    writeSync(descriptor, randomBytes(pageSize * count), 0, pageSize * count, (page - 1) * pageSize)
  } finally {
    closeSync(descriptor)
  }
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error: unknown = await promise.then(
    () => null,
    (thrown: unknown) => thrown
  )
  if (!(error instanceof DomainError)) throw new Error(`Expected a DomainError, got ${String(error)}`)
  return error
}

/**
 * Make `path` unwritable for this process: permissions first; as root (who ignores them) the
 * immutable attribute as well. Undone after the test.
 */
function makeReadOnly(path: string, mode: number): void {
  chmodSync(path, mode)
  cleanups.push(() => chmodSync(path, 0o755))
  const writable = (): boolean => {
    try {
      if (statSync(path).isDirectory()) {
        const probe = join(path, '.probe')
        closeSync(openSync(probe, 'w'))
        rmSync(probe)
      } else {
        closeSync(openSync(path, 'r+'))
      }
      return true
    } catch {
      return false
    }
  }
  if (!writable()) return
  if (process.platform !== 'linux') throw new Error('Permissions do not stop this process from writing, and chattr is Linux only')
  execFileSync('chattr', ['+i', path])
  cleanups.push(() => execFileSync('chattr', ['-i', path]))
  if (writable()) throw new Error(`${path} is still writable`)
}

describe('integrity, checked at every open', () => {
  it('a database damaged in its middle pages is refused at its current version, and its bytes are left as they were', async () => {
    const { file } = folder()
    const path = file('damaged.db')
    await populated(path)
    damageMiddlePages(path)
    const before = digest(path)

    const error = await refusal(openDatabaseFile(path))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(
      /^damaged\.db is damaged \(.+\)\. It was not opened and nothing in it was changed\. Restore a backup or open another file\.$/
    )
    // Nor through the store, and not on a second try either.
    expect((await refusal(openStore({ file: path, inviteKeys: await testInviteKeys(), mustExist: true }))).code).toBe('database')
    expect(digest(path)).toBe(before)
  })

  for (const thread of ['worker', 'main'] as const) {
    it(`on the ${thread} thread: a sound file passes with progress that rises to its total; a damaged one fails`, async () => {
      const { file } = folder()
      const path = file('sound.db')
      await populated(path)
      const progress: Array<[number, number]> = []
      // A worker that cannot start falls back to this thread with a warning: that must not happen here.
      const warn = vi.spyOn(console, 'warn')
      await checkIntegrity(path, { thread, onProgress: (done, total) => progress.push([done, total]) })
      expect(warn).not.toHaveBeenCalled()
      expect(progress.length).toBeGreaterThan(2)
      const total = progress[0]?.[1] ?? 0
      expect(progress.every(([, each]) => each === total)).toBe(true)
      expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b))
      expect(progress.at(-1)).toEqual([total, total])

      damageMiddlePages(path)
      const error = await refusal(checkIntegrity(path, { thread }))
      expect(error.code).toBe('database')
    })

    it(`on the ${thread} thread: cancelling stops the check with "cancelled" and the file is not opened`, async () => {
      const { file } = folder()
      const path = file('big.db')
      await populated(path)
      const before = digest(path)
      const controller = new AbortController()
      const opening = openDatabaseFile(path, {
        integrity: { thread, signal: controller.signal, onProgress: () => controller.abort() }
      })
      const error = await refusal(opening)
      expect(error.code).toBe('cancelled')
      expect(digest(path)).toBe(before)
    })
  }

  it('finds a page used by two b-trees, which a check of each table alone would not', async () => {
    const { file } = folder()
    const path = file('crossed.db')
    await populated(path, 5000)
    const sqlite = new BetterSqlite3(path)
    const pageSize = Number(sqlite.pragma('page_size', { simple: true }))
    const [activityRoot, usersLeaf] = [
      sqlite.prepare<[], number>("SELECT rootpage FROM sqlite_schema WHERE name = 'activity'").pluck().get(),
      sqlite.prepare<[], number>("SELECT pageno FROM dbstat WHERE name = 'users' AND pagetype = 'leaf' LIMIT 1").pluck().get()
    ]
    sqlite.close()
    if (activityRoot === undefined || usersLeaf === undefined) throw new Error('No pages to cross')
    // The empty activity table's root becomes a copy of a users leaf: both b-trees now hold it.
    const bytes = readFileSync(path)
    const descriptor = openSync(path, 'r+')
    writeSync(descriptor, bytes, (usersLeaf - 1) * pageSize, pageSize, (activityRoot - 1) * pageSize)
    closeSync(descriptor)
    const error = await refusal(checkIntegrity(path))
    expect(error.message).toMatch(/damaged/)
  })
})

describe('a file or folder that cannot be written', () => {
  it('a read-only file is refused as read-only with how to fix it, not as damage, and is left as it was', async () => {
    const { file } = folder()
    const path = file('locked.db')
    await populated(path, 100)
    const before = digest(path)
    makeReadOnly(path, 0o444)
    const error = await refusal(openDatabaseFile(path))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(/^locked\.db is read-only, so Rolekeeper cannot save changes to it; it was not opened\. To fix it, /)
    expect(error.message).toMatch(/write permission|Read-only/)
    expect(error.message).not.toMatch(/damaged|SQLITE|attempt to write/)
    expect(digest(path)).toBe(before)
  })

  it('a read-only folder is refused as read-only, for an existing file and for a new one', async () => {
    const { dir, file } = folder()
    const path = file('in-locked-folder.db')
    await populated(path, 100)
    makeReadOnly(dir, 0o555)
    for (const target of [path, file('new.db')]) {
      const error = await refusal(openDatabaseFile(target))
      expect(error.message).toMatch(/^The folder .+ is read-only \(Rolekeeper keeps the database’s journal files beside it\)/)
    }
  })

  it('a write to a database that turned read-only says so, with how to fix it', async () => {
    const { file } = folder()
    const path = file('turned.db')
    await populated(path, 10)
    // What SQLite does when it can only open the file read-only: every write fails.
    const store = createStore(new BetterSqlite3(path, { readonly: true }), { file: path, inviteKeys: await testInviteKeys() })
    cleanups.push(() => store.close())
    const api = createHandlerMap({ store, appInfo: { version: '1', databasePath: path, runtime: 'desktop' } })
    const result = await api.createRole({ name: 'Editors' })
    expect(result).toMatchObject({ ok: false, error: { code: 'database' } })
    const message = result.ok ? '' : result.error.message
    expect(message).toMatch(/^turned\.db is read-only, so the change was not saved\. To fix it, /)
    expect(message).not.toMatch(/attempt to write|damaged/)
  })
})
