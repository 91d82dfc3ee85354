import { randomBytes } from 'node:crypto'
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { APPLICATION_ID, BACKUPS_KEPT, openDatabaseFile } from '../../src-main/core/db/open'
import { LATEST_VERSION, migrations } from '../../src-main/core/db/migrations'
import { DomainError } from '../../src-main/core/errors'
import { tempDir } from '../helpers/store'

/** Build a file at an earlier version by applying only the first `version` migrations. */
function fileAtVersion(path: string, version: number): void {
  const sqlite = new BetterSqlite3(path)
  for (const migration of migrations.slice(0, version)) migration.up(sqlite)
  sqlite.pragma(`application_id = ${APPLICATION_ID}`)
  sqlite.pragma(`user_version = ${version}`)
  sqlite.close()
}

function insertVersion1Data(path: string): void {
  const sqlite = new BetterSqlite3(path)
  const now = '2026-01-01T00:00:00.000Z'
  sqlite
    .prepare(
      `INSERT INTO roles (id, name, name_key, admin_access, created_at, updated_at)
       VALUES ('11111111-1111-4111-8111-111111111111', 'Editors', 'editors', 0, ?, ?)`
    )
    .run(now, now)
  const insert = sqlite.prepare(
    `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  insert.run(
    'u-1',
    'Ann.Smith@example.org',
    'ann.smith@example.org',
    'Ann',
    'Smith',
    'active',
    '11111111-1111-4111-8111-111111111111',
    now,
    now
  )
  insert.run('u-2', 'bob@example.org', 'bob@example.org', null, null, 'invited', null, now, now)
  sqlite.close()
}

const refusal = async (promise: Promise<unknown>): Promise<DomainError> => {
  const error: unknown = await promise.then(
    () => null,
    (thrown: unknown) => thrown
  )
  expect(error).toBeInstanceOf(DomainError)
  return error as DomainError // checked by the assertion above
}

describe('opening and migrating a database', () => {
  const dirs: Array<() => void> = []
  afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()))
  const folder = (): ReturnType<typeof tempDir> => {
    const made = tempDir()
    dirs.push(made.cleanup)
    return made
  }

  test('a new file is created at the latest version, marked as ours, with WAL and foreign keys', async () => {
    const { file } = folder()
    const { sqlite, fromVersion, backupFile } = await openDatabaseFile(file('new.db'))
    expect(fromVersion).toBe(0)
    expect(backupFile).toBeNull()
    expect(sqlite.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
    expect(sqlite.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(Number(sqlite.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0)
    sqlite.close()
  })

  test('an empty database from every earlier version migrates to the latest', async () => {
    const { file } = folder()
    for (let version = 1; version < LATEST_VERSION; version++) {
      const path = file(`v${version}.db`)
      fileAtVersion(path, version)
      const { sqlite, fromVersion } = await openDatabaseFile(path)
      expect(fromVersion).toBe(version)
      expect(sqlite.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
      sqlite.close()
    }
  })

  test('a version-1 file with data keeps it, gains the search index and counts, and is backed up first', async () => {
    const { dir, file } = folder()
    const path = file('old.db')
    fileAtVersion(path, 1)
    insertVersion1Data(path)
    const { sqlite, fromVersion, backupFile } = await openDatabaseFile(path)
    expect(fromVersion).toBe(1)
    expect(backupFile).not.toBeNull()

    const found = sqlite
      .prepare(
        `SELECT users.email FROM users_search JOIN users ON users.rowid = users_search.rowid
         WHERE users_search MATCH '"smith"'`
      )
      .pluck()
      .all()
    expect(found).toEqual(['Ann.Smith@example.org'])
    // The role-ordered indexes file each user under the role they had: nothing trails.
    expect(sqlite.prepare('SELECT id, indexed_role_id FROM users ORDER BY id').all()).toEqual([
      { id: 'u-1', indexed_role_id: '11111111-1111-4111-8111-111111111111' },
      { id: 'u-2', indexed_role_id: null }
    ])
    const counts = sqlite.prepare('SELECT role_key, status, n FROM user_counts ORDER BY role_key').all()
    expect(counts).toEqual([
      { role_key: '', status: 'invited', n: 1 },
      { role_key: '11111111-1111-4111-8111-111111111111', status: 'active', n: 1 }
    ])
    sqlite.close()

    // The backup is the file as it was: still version 1, with both users.
    const backup = new BetterSqlite3(backupFile ?? '', { readonly: true })
    expect(backup.pragma('user_version', { simple: true })).toBe(1)
    expect(backup.prepare('SELECT count(*) FROM users').pluck().get()).toBe(2)
    backup.close()
    expect(readdirSync(dir).filter((name) => name.endsWith('.backup'))).toHaveLength(1)
  })

  test(`only the last ${BACKUPS_KEPT} pre-migration backups are kept`, async () => {
    const { dir, file } = folder()
    const template = file('template.v1')
    fileAtVersion(template, 1)
    const path = file('many.db')
    for (let round = 0; round < BACKUPS_KEPT + 2; round++) {
      // Put a version-1 file back each time so each open migrates (and backs up) again.
      copyFileSync(template, path)
      const opened = await openDatabaseFile(path)
      opened.sqlite.close()
      await new Promise((resolve) => setTimeout(resolve, 5)) // distinct backup timestamps
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.backup'))).toHaveLength(BACKUPS_KEPT)
  })

  test('a database from a newer version is refused and left untouched', async () => {
    const { file } = folder()
    const path = file('newer.db')
    fileAtVersion(path, LATEST_VERSION)
    const sqlite = new BetterSqlite3(path)
    sqlite.pragma(`user_version = ${LATEST_VERSION + 1}`)
    sqlite.close()
    const before = readFileSync(path)

    const error = await refusal(openDatabaseFile(path))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(/newer version of Rolekeeper/)
    expect(readFileSync(path).equals(before)).toBe(true)
  })

  test('a damaged file is refused and never overwritten', async () => {
    const { file } = folder()
    const path = file('damaged.db')
    const garbage = randomBytes(8192)
    writeFileSync(path, garbage)

    const error = await refusal(openDatabaseFile(path))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(/damaged or not a database/)
    expect(readFileSync(path).equals(garbage)).toBe(true)
  })

  test('a truncated older database is refused before migrating, and left as it was', async () => {
    const { file } = folder()
    const path = file('truncated.db')
    fileAtVersion(path, 1)
    insertVersion1Data(path)
    const sqlite = new BetterSqlite3(path)
    sqlite.pragma('journal_mode = DELETE')
    // Enough rows to span several pages, so cutting the file loses some of them.
    const insert = sqlite.prepare(
      `INSERT INTO users (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, 'active', 'x', 'x')`
    )
    sqlite.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`bulk-${i}`, `user${i}@example.org`, `user${i}@example.org`)
    })()
    sqlite.close()
    const whole = readFileSync(path)
    const cut = whole.subarray(0, Math.floor(whole.length / 2))
    writeFileSync(path, cut)

    const error = await refusal(openDatabaseFile(path))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(/damaged/)
    expect(readFileSync(path).equals(cut)).toBe(true)
  })

  test("another application's database is refused", async () => {
    const { file } = folder()
    const path = file('other.db')
    const sqlite = new BetterSqlite3(path)
    sqlite.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
    sqlite.close()
    const error = await refusal(openDatabaseFile(path))
    expect(error.message).toMatch(/not a Rolekeeper database/)
  })

  test('opening a file that must exist refuses a missing one without creating it', async () => {
    const { dir, file } = folder()
    const error = await refusal(openDatabaseFile(file('missing.db'), { mustExist: true }))
    expect(error.code).toBe('database')
    expect(readdirSync(dir)).toEqual([])
  })

  test('addresses written before NFC keys are normalised; one that now equals another user’s is left and reported', async () => {
    const { file } = folder()
    const path = file('old.db')
    const version = migrations.findIndex((migration) => migration.name.includes('email-keys-in-nfc'))
    fileAtVersion(path, version)
    const sqlite = new BetterSqlite3(path)
    const now = '2026-01-01T00:00:00.000Z'
    const insert = sqlite.prepare(
      `INSERT INTO users (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?)`
    )
    // As the earlier rule keyed them: lower-cased, nothing else.
    for (const [id, email] of [
      ['u-nfd', 'Zoe\u0301@example.org'],
      ['u-zw', 'ann\u200b@example.org'],
      ['u-cafe', 'caf\u00e9@example.org'],
      ['u-cafe-nfd', 'cafe\u0301@example.org'],
      ['u-plain', 'bob@example.org']
    ] as const) {
      insert.run(id, email, email.toLowerCase(), now, now)
    }
    sqlite.close()

    const opened = await openDatabaseFile(path)
    const rows = opened.sqlite.prepare('SELECT id, email, email_key FROM users ORDER BY rowid').all()
    expect(rows).toEqual([
      { id: 'u-nfd', email: 'Zo\u00e9@example.org', email_key: 'zo\u00e9@example.org' },
      { id: 'u-zw', email: 'ann@example.org', email_key: 'ann@example.org' },
      { id: 'u-cafe', email: 'caf\u00e9@example.org', email_key: 'caf\u00e9@example.org' },
      { id: 'u-cafe-nfd', email: 'cafe\u0301@example.org', email_key: 'cafe\u0301@example.org' },
      { id: 'u-plain', email: 'bob@example.org', email_key: 'bob@example.org' }
    ])
    const search = opened.sqlite.prepare('SELECT rowid FROM users_search WHERE users_search MATCH \'"ann@ex"\'').all()
    expect(search).toHaveLength(1)
    const entry = opened.sqlite
      .prepare<[], { actor: string; summary: string; record_ids: string }>('SELECT actor, summary, record_ids FROM activity')
      .get()
    expect(entry?.actor).toBe('Rolekeeper')
    expect(entry?.summary).toBe(
      'Normalised 2 email addresses (Unicode NFC, invisible characters removed); 1 left as it was: the same address as another user (cafe\u0301@example.org)'
    )
    expect(JSON.parse(entry?.record_ids ?? '[]')).toEqual(['u-nfd', 'u-zw', 'u-cafe-nfd'])
    opened.sqlite.close()
  })

  test('every migration is named by date and order, in that order, and names are unique', () => {
    const names = migrations.map((migration) => migration.name)
    expect(new Set(names).size).toBe(names.length)
    const orders = names.map((name) => Number(/^\d{4}-\d{2}-\d{2}-(\d+)-/.exec(name)?.[1]))
    // Numbers only grow (one may be left for a migration another branch adds).
    orders.forEach((order, index) => expect(order).toBeGreaterThan(index === 0 ? 0 : (orders[index - 1] ?? 0)))
    const dates = names.map((name) => name.slice(0, 10))
    expect([...dates].sort()).toEqual(dates)
  })
})
