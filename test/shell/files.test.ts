/**
 * The desktop's file handling, driven through the contract calls as the page makes them: the
 * main process's own dialogs, export, import and invite progress on the taskbar and in the
 * page, and opening another database file (refused, with the current one kept, when the file
 * is not fit).
 */
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LATEST_VERSION, migrations } from '../../src-main/core/db/migrations'
import { APPLICATION_ID, BACKUPS_KEPT } from '../../src-main/core/db/open'
import { WRITE_SLICE } from '../../src-main/core/long-write'
import { openStore } from '../../src-main/core/store'
import { SHELL_CHANNELS } from '../../src-main/ipc/calls'
import { createHandlerMap } from '../../src-main/ipc/handlers'
import { DISCARD_CHANGES, KEEP_EDITING } from '../../src-main/shell/window'
import { appFrame } from './fake-electron'
import { settle, startShell, type ShellRun } from './harness'

let run: ShellRun

beforeEach(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  run = await startShell()
})
afterEach(() => {
  run.stop()
  vi.restoreAllMocks()
  run.folder.cleanup()
})

async function invite(count: number): Promise<void> {
  const text = Array.from({ length: count }, (_, index) => `person${index}@example.org`).join('\n')
  const result = await run.call('inviteUsers', { text, roleId: null })
  expect(result.ok).toBe(true)
}

function reportUnsaved(unsaved: boolean): void {
  const listener = run.electron.ipcMain.listeners.get(SHELL_CHANNELS.unsavedChanges)
  listener?.({ senderFrame: appFrame, sender: run.window().webContents }, unsaved)
}

describe('exporting invites', () => {
  it('asks where to save in the main process, suggesting a file name of the right kind', async () => {
    await invite(3)
    run.electron.dialog.savePath = run.folder.file('invites.csv')
    const result = await run.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })
    expect(result).toMatchObject({ ok: true, value: { saved: true, rows: 3, path: run.folder.file('invites.csv') } })
    const [asked] = run.electron.dialog.saveDialogs
    expect(asked?.filters).toEqual([{ name: 'CSV', extensions: ['csv'] }])
    expect(asked?.defaultPath).toMatch(/\.csv$/)
    expect(asked?.properties).toContain('showOverwriteConfirmation')
    expect(readFileSync(run.folder.file('invites.csv'), 'utf8')).toContain('person2@example.org')
  })

  it('shows a long export’s progress on the taskbar as fractions, then clears it', async () => {
    await invite(2500)
    run.electron.dialog.savePath = run.folder.file('many.csv')
    const exportId = randomUUID()
    const result = await run.call('exportInvites', { exportId, scope: { kind: 'allInvites' }, format: 'csv' })
    expect(result).toMatchObject({ ok: true, value: { rows: 2500 } })

    const bar = run.window().progress
    expect(bar.at(-1)).toBe(-1)
    const fractions = bar.slice(0, -1)
    expect(fractions.length).toBeGreaterThanOrEqual(3)
    expect(fractions.every((value) => value >= 0 && value <= 1)).toBe(true)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    expect(fractions.at(-1)).toBe(1)

    // The page hears the same progress, tagged with its export's id.
    const events = run.window().webContents.sent.filter((message) => message.channel === SHELL_CHANNELS.progress)
    expect(events.length).toBe(fractions.length)
    expect(events.at(-1)?.args).toEqual([{ operationId: exportId, done: 2500, total: 2500 }])
  })

  it('clears the taskbar and leaves no file when the export is cancelled part-way', async () => {
    await invite(3000)
    const target = run.folder.file('cancelled.csv')
    run.electron.dialog.savePath = target
    const exportId = randomUUID()
    const window = run.window()
    const originalSetProgress = window.setProgressBar.bind(window)
    let cancelling: Promise<unknown> | null = null
    window.setProgressBar = (progress: number): void => {
      originalSetProgress(progress)
      // The user presses Cancel once the first rows are out.
      if (progress > 0 && progress < 1 && !cancelling) cancelling = run.call('cancelOperation', { operationId: exportId })
    }
    const result = await run.call('exportInvites', { exportId, scope: { kind: 'allInvites' }, format: 'csv' })
    expect(await cancelling).toMatchObject({ ok: true, value: { cancelled: true } })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(window.progress.at(-1)).toBe(-1)
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(dirname(target)).filter((name) => name.includes('cancelled'))).toEqual([])
  })

  it('writes nothing and clears nothing it never showed when the save dialog is dismissed', async () => {
    await invite(2)
    run.electron.dialog.savePath = null
    const result = await run.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'json' })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(run.electron.dialog.saveDialogs[0]?.filters).toEqual([{ name: 'JSON', extensions: ['json'] }])
    expect(run.window().progress.filter((value) => value >= 0)).toEqual([])
  })
})

describe('importing users', () => {
  it('reads the file chosen in the main process’s open dialog, again for the apply', async () => {
    const file = run.folder.file('people.csv')
    writeFileSync(file, 'email,first_name\nada@example.org,Ada\n')
    run.electron.dialog.openPath = file
    const preview = await run.call('previewImport', {})
    expect(preview).toMatchObject({ ok: true, value: { chosen: true, fileName: 'people.csv' } })
    if (!preview.ok) throw new Error('no preview')
    const fileId = preview.value.fileId

    writeFileSync(file, 'email,first_name\nada@example.org,Ada\ngrace@example.org,Grace\n')
    const applied = await run.call('applyImport', { file: { fileId } })
    expect(applied.ok).toBe(true)
    // The apply read the file as it is now, with Grace added after the preview.
    expect(await run.call('countUsers', {})).toMatchObject({ ok: true, value: { all: 2 } })
  })

  it('refuses a file id it never handed out', async () => {
    const result = await run.call('applyImport', { file: { fileId: randomUUID() } })
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('shows a long import’s progress on the taskbar and in the page, then clears it', async () => {
    const file = run.folder.file('many.csv')
    const lines = ['email,first_name']
    for (let index = 0; index < 5000; index++) lines.push(`imported${index}@example.org,Person`)
    writeFileSync(file, lines.join('\n'))
    run.electron.dialog.openPath = file
    const preview = await run.call('previewImport', {})
    if (!preview.ok || preview.value.fileId === null) throw new Error('no preview')
    const operationId = randomUUID()
    const applied = await run.call('applyImport', { file: { fileId: preview.value.fileId }, operationId })
    expect(applied).toMatchObject({ ok: true, value: { counts: { new: 5000 } } })

    const bar = run.window().progress
    expect(bar.at(-1)).toBe(-1)
    const fractions = bar.slice(0, -1)
    expect(fractions.length).toBeGreaterThanOrEqual(4)
    expect(fractions.every((value) => value >= 0 && value < 1)).toBe(true)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    const events = run.window().webContents.sent.filter((message) => message.channel === SHELL_CHANNELS.progress)
    expect(events.map((event) => event.args)).toContainEqual([{ operationId, done: 2000, total: 10_000 }])
  })

  it('clears the taskbar and writes nothing when a long import is cancelled', async () => {
    const operationId = randomUUID()
    const window = run.window()
    const originalSetProgress = window.setProgressBar.bind(window)
    let cancelling: Promise<unknown> | null = null
    window.setProgressBar = (progress: number): void => {
      originalSetProgress(progress)
      if (progress > 0 && progress < 1 && !cancelling) cancelling = run.call('cancelOperation', { operationId })
    }
    const lines = ['email']
    for (let index = 0; index < 5000; index++) lines.push(`imported${index}@example.org`)
    const result = await run.call('applyImport', { file: { text: lines.join('\n') }, operationId })
    expect(await cancelling).toMatchObject({ ok: true, value: { cancelled: true } })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(window.progress.at(-1)).toBe(-1)
    expect(await run.call('countUsers', {})).toMatchObject({ ok: true, value: { all: 0 } })
  })
})

describe('inviting many addresses', () => {
  it('shows the invite’s progress on the taskbar, then clears it', async () => {
    const text = Array.from({ length: 5000 }, (_, index) => `person${index}@example.org`).join('\n')
    const result = await run.call('inviteUsers', { text, roleId: null, operationId: randomUUID() })
    expect(result).toMatchObject({ ok: true, value: { counts: { invited: 5000 } } })
    // After each slice but the last, then cleared.
    const slices = Array.from({ length: Math.ceil(5000 / WRITE_SLICE) - 1 }, (_, index) => ((index + 1) * WRITE_SLICE) / 5000)
    expect(run.window().progress).toEqual([...slices, -1])
  })
})

describe('exporting the verification key', () => {
  it('saves the public key as a JWKS where the main process’s save dialog says, and verifies an exported link', async () => {
    await invite(1)
    const target = run.folder.file('keys.jwks.json')
    run.electron.dialog.savePath = target
    const result = await run.call('exportVerificationKey', {})
    expect(result).toMatchObject({ ok: true, value: { saved: true, path: target } })
    const [asked] = run.electron.dialog.saveDialogs
    expect(asked).toMatchObject({ title: 'Export verification key', filters: [{ name: 'JSON Web Key Set', extensions: ['json', 'jwks'] }] })
    expect(asked?.defaultPath).toMatch(/rolekeeper-verification-key\.jwks\.json$/)
    const jwks = JSON.parse(readFileSync(target, 'utf8')) as JSONWebKeySet // the saved file
    const listed = await run.call('listInvites', { limit: 1 })
    const token = listed.ok ? (listed.value.rows[0]?.inviteLink ?? '') : ''
    await expect(jwtVerify(token, createLocalJWKSet(jwks))).resolves.toMatchObject({ payload: { scope: 'invite' } })
  })

  it('writes nothing when the dialog is dismissed', async () => {
    run.electron.dialog.savePath = null
    expect(await run.call('exportVerificationKey', {})).toMatchObject({ ok: false, error: { code: 'cancelled' } })
  })
})

describe('backing up the database', () => {
  it('saves a copy where the save dialog says, which opens as a Rolekeeper database', async () => {
    await run.call('createRole', { name: 'Support' })
    const target = run.folder.file('copy.db')
    run.electron.dialog.savePath = target
    const result = await run.call('backupDatabase', {})
    expect(result).toMatchObject({ ok: true, value: { saved: true, path: target } })
    const copy = await openStore({ file: target, inviteKeys: run.app.store.inviteKeys, mustExist: true })
    expect(copy.sqlite.prepare('SELECT name FROM roles').pluck().all()).toContain('Support')
    copy.close()
  })
})

describe('opening another database', () => {
  async function otherDatabase(name: string, role: string): Promise<string> {
    const file = run.folder.file(name)
    const other = await openStore({ file, inviteKeys: run.app.store.inviteKeys })
    const created = await createHandlerMap({ store: other, appInfo: { version: '1', databasePath: file, runtime: 'desktop' } }).createRole({
      name: role
    })
    expect(created.ok).toBe(true)
    other.close()
    return file
  }

  it('switches to the chosen file, reloads the page on it and opens it again at the next start', async () => {
    const first = run.app.store
    const file = await otherDatabase('other.db', 'Auditors')
    run.electron.dialog.openPath = file
    const result = await run.call('openDatabase', {})
    expect(result).toMatchObject({ ok: true, value: { opened: true, databasePath: file } })
    expect(first.sqlite.open).toBe(false)
    expect(run.app.store.file).toBe(file)
    await settle()
    expect(run.window().webContents.reloads).toBe(1)
    expect(await run.call('getAppInfo')).toMatchObject({ ok: true, value: { databasePath: file } })
    expect(JSON.stringify(await run.call('listRoles', {}))).toContain('Auditors')

    run = await run.restart()
    expect(run.app.store.file).toBe(file)
    expect(JSON.stringify(await run.call('listRoles', {}))).toContain('Auditors')
  })

  const unfit: Record<string, { make: (file: string) => Promise<void> | void; says: RegExp }> = {
    'a damaged file': {
      make: (file) => writeFileSync(file, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)])),
      says: /is damaged or not a database .*Open another file or restore a backup/
    },
    'a text file': {
      make: (file) => writeFileSync(file, 'name,email\nnot a database at all, really\n'),
      says: /is damaged or not a database .*Open another file or restore a backup/
    },
    'a database from a newer version': {
      make: async (file) => {
        const newer = await openStore({ file, inviteKeys: run.app.store.inviteKeys })
        newer.sqlite.pragma(`user_version = ${LATEST_VERSION + 1}`)
        newer.close()
      },
      says: /was written by a newer version of Rolekeeper .*Update Rolekeeper or open another file/
    },
    'another application’s database': {
      make: (file) => {
        const foreign = new BetterSqlite3(file)
        foreign.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')")
        foreign.close()
      },
      says: /is not a Rolekeeper database\. .*Open another file/
    }
  }

  for (const [what, { make, says }] of Object.entries(unfit)) {
    it(`refuses ${what} with a clear message, keeping the current database open and in use`, async () => {
      await run.call('createRole', { name: 'Support' })
      const current = run.app.store
      const file = run.folder.file(`unfit-${randomUUID()}.db`)
      await make(file)
      const before = readFileSync(file)
      run.electron.dialog.openPath = file

      const result = await run.call('openDatabase', {})
      expect(result).toMatchObject({ ok: false, error: { code: 'database' } })
      if (result.ok) return
      expect(result.error.message).toMatch(says)

      expect(run.app.store).toBe(current)
      expect(current.sqlite.open).toBe(true)
      expect(JSON.stringify(await run.call('listRoles', {}))).toContain('Support')
      expect(await run.call('getAppInfo')).toMatchObject({ ok: true, value: { databasePath: current.file } })
      await settle()
      expect(run.window().webContents.reloads).toBe(0)
      expect(readFileSync(file).equals(before)).toBe(true)

      run = await run.restart()
      expect(run.app.store.file).toBe(current.file)
    })
  }

  it('asks first when the page holds unsaved edits, and Keep editing opens nothing', async () => {
    const file = await otherDatabase('other.db', 'Auditors')
    run.electron.dialog.openPath = file
    reportUnsaved(true)
    run.electron.dialog.answer = 1
    const kept = await run.call('openDatabase', {})
    expect(kept).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(run.electron.dialog.asked.map((options) => options.buttons)).toEqual([[DISCARD_CHANGES, KEEP_EDITING]])
    expect(run.electron.dialog.openDialogs).toHaveLength(0)

    run.electron.dialog.answer = 0
    const opened = await run.call('openDatabase', {})
    expect(opened).toMatchObject({ ok: true, value: { databasePath: file } })
  })

  it('falls back to the data folder’s database, saying so, when the one used last has become unfit', async () => {
    const file = await otherDatabase('other.db', 'Auditors')
    run.electron.dialog.openPath = file
    expect(await run.call('openDatabase', {})).toMatchObject({ ok: true })
    run = await run.restart(() => writeFileSync(file, 'overwritten by something else entirely, not a database'))
    expect(run.app.store.file).toBe(run.app.paths.database)
    expect(run.electron.dialog.errors).toHaveLength(1)
    expect(run.electron.dialog.errors[0]?.content).toContain(file)
    expect(readFileSync(file, 'utf8')).toBe('overwritten by something else entirely, not a database')
  })
})

describe('the data folder', () => {
  it('backs an older database up into its backups folder before migrating it, keeping the last few', async () => {
    const database = run.app.paths.database
    const backups = run.app.paths.backups
    run.stop()
    for (let launch = 0; launch < BACKUPS_KEPT + 2; launch++) {
      rmSync(database, { force: true })
      rmSync(`${database}-wal`, { force: true })
      rmSync(`${database}-shm`, { force: true })
      // The database as the previous release left it: every migration but the last.
      const older = new BetterSqlite3(database)
      for (const migration of migrations.slice(0, LATEST_VERSION - 1)) migration.up(older)
      older.pragma(`application_id = ${APPLICATION_ID}`)
      older.pragma(`user_version = ${LATEST_VERSION - 1}`)
      older.close()
      run = await run.restart()
      expect(run.app.store.sqlite.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
      run.stop()
      // Backups are named by the time they were taken.
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(backups).toBe(join(dirname(database), 'backups'))
    const kept = readdirSync(backups)
    expect(kept).toHaveLength(BACKUPS_KEPT)
    expect(kept.every((name) => name.startsWith(`rolekeeper.db.v${LATEST_VERSION - 1}-`))).toBe(true)
    expect(readdirSync(dirname(database)).filter((name) => name.endsWith('.backup'))).toEqual([])
    run = await run.restart()
  })
})
