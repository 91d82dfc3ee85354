/**
 * The desktop's conventions, on the whole shell against the mocked Electron: the system theme
 * and the window's background follow the theme setting, Settings and Help in the menu, recent
 * databases, a database given on the command line, to a second launch or by Finder, Show in
 * folder after a save, a notification when long work ends in the background, and Open
 * database's check with progress and Cancel.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InviteKeys } from '../../src-main/core/invite-keys'
import { openStore } from '../../src-main/core/store'
import { SHELL_CHANNELS } from '../../src-main/ipc/calls'
import { createHandlerMap } from '../../src-main/ipc/handlers'
import type { MenuItemTemplate } from '../../src-main/shell/menu'
import { WINDOW_BACKGROUND } from '../../src-main/shell/window'
import { FakeNotification, FakeWindow } from './fake-electron'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'
import { settle, startShell, type ShellRun } from './harness'

let run: ShellRun | null = null
const extraCleanups: Array<() => void> = []

afterEach(() => {
  run?.stop()
  // First: an immutable file would keep its folder from being removed.
  extraCleanups.splice(0).forEach((cleanup) => cleanup())
  run?.folder.cleanup()
  run = null
  vi.restoreAllMocks()
})

function started(): ShellRun {
  if (!run) throw new Error('The shell did not start')
  return run
}

async function start(options: Parameters<typeof startShell>[0] = {}): Promise<ShellRun> {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  vi.spyOn(console, 'error').mockImplementation(() => undefined)
  run = await startShell(options)
  return run
}

const everyItem = (items: MenuItemTemplate[]): MenuItemTemplate[] => items.flatMap((item) => [item, ...everyItem(item.submenu ?? [])])
const menuItems = (): MenuItemTemplate[] => everyItem(started().electron.Menu.applicationMenu?.template ?? [])
const menuItem = (label: string): MenuItemTemplate => {
  const found = menuItems().find((item) => item.label === label || item.id === label)
  if (!found) throw new Error(`No menu item ${label}`)
  return found
}
const commandsSent = (): unknown[] =>
  started()
    .window()
    .webContents.sent.filter((message) => message.channel === SHELL_CHANNELS.menuCommand)
    .map((message) => message.args[0])

/** A Rolekeeper database elsewhere, holding one role named `role`. */
async function otherDatabase(path: string, role: string, inviteKeys: InviteKeys): Promise<string> {
  const other = await openStore({ file: path, inviteKeys })
  const api = createHandlerMap({ store: other, appInfo: { version: '1', databasePath: path, runtime: 'desktop' } })
  expect((await api.createRole({ name: role })).ok).toBe(true)
  other.close()
  return path
}

describe('the theme', () => {
  it('the system theme, title bar and window background follow the theme setting, and the next start opens in it', async () => {
    const shell = await start()
    const { nativeTheme } = shell.electron
    expect(nativeTheme.themeSource).toBe('system')
    expect(shell.window().options.backgroundColor).toBe(WINDOW_BACKGROUND.light)

    expect(await shell.call('updateSettings', { theme: 'dark' })).toMatchObject({ ok: true })
    expect(nativeTheme.themeSource).toBe('dark')
    expect(shell.window().backgrounds.at(-1)).toBe(WINDOW_BACKGROUND.dark)

    run = await shell.restart()
    expect(started().electron.nativeTheme.themeSource).toBe('dark')
    // Painted dark from the first frame: no white flash before the page.
    expect(started().window().options.backgroundColor).toBe(WINDOW_BACKGROUND.dark)
  })

  it('following the system, the background changes when the system switches to dark', async () => {
    const shell = await start()
    shell.electron.nativeTheme.systemChanged(true)
    expect(shell.window().backgrounds.at(-1)).toBe(WINDOW_BACKGROUND.dark)
    expect(await shell.call('updateSettings', { theme: 'light' })).toMatchObject({ ok: true })
    shell.electron.nativeTheme.systemChanged(true)
    expect(shell.window().backgrounds.at(-1)).toBe(WINDOW_BACKGROUND.light)
  })

  it('another database brings its own theme', async () => {
    const shell = await start()
    const file = await otherDatabase(shell.folder.file('dark.db'), 'Auditors', shell.app.store.inviteKeys)
    const other = await openStore({ file, inviteKeys: shell.app.store.inviteKeys })
    await createHandlerMap({ store: other, appInfo: { version: '1', databasePath: file, runtime: 'desktop' } }).updateSettings({
      theme: 'dark'
    })
    other.close()
    shell.electron.dialog.openPath = file
    expect(await shell.call('openDatabase', {})).toMatchObject({ ok: true })
    expect(shell.electron.nativeTheme.themeSource).toBe('dark')
  })
})

describe('Settings and Help in the menu', () => {
  it('macOS: Rolekeeper → Settings… (⌘,) shows the Settings page', async () => {
    const shell = await start({ platform: 'darwin' })
    const settings = menuItem('Settings…')
    expect(settings.accelerator).toBe('CmdOrCtrl+,')
    settings.click?.()
    expect(commandsSent()).toEqual(['settings'])
    expect(shell.electron.Menu.applicationMenu?.template[0]?.submenu).toContain(settings)
  })

  it('Help → Rolekeeper Help opens the documentation shipped with the app, which works offline', async () => {
    const shell = await start({ environment: { resourcesDir: '/opt/Rolekeeper/resources' } })
    menuItem('Rolekeeper Help').click?.()
    await settle()
    expect(shell.electron.shell.opened).toEqual(['/opt/Rolekeeper/resources/help/index.html'])
  })
})

describe('recent databases', () => {
  it('File → Open Recent lists the databases opened, newest first, and reopens one like Open database', async () => {
    const shell = await start()
    const own = shell.app.paths.database
    const first = await otherDatabase(shell.folder.file('first.db'), 'First', shell.app.store.inviteKeys)
    const second = await otherDatabase(shell.folder.file('second.db'), 'Second', shell.app.store.inviteKeys)
    for (const file of [first, second]) {
      shell.electron.dialog.openPath = file
      expect(await shell.call('openDatabase', {})).toMatchObject({ ok: true, value: { databasePath: file } })
    }
    const recent = menuItem('Open Recent').submenu ?? []
    expect(recent.map((item) => item.label)).toEqual([
      `second.db — ${dirname(second)}`,
      `first.db — ${dirname(first)}`,
      `rolekeeper.db — ${dirname(own)}`,
      undefined,
      'Clear recent'
    ])

    // The page opens it as it opens a chosen file: it is told to, and asks for "the requested one".
    recent[1]?.click?.()
    expect(commandsSent()).toEqual(['open-requested-database'])
    expect(await shell.call('openDatabase', { requested: true })).toMatchObject({ ok: true, value: { databasePath: first } })
    expect(shell.electron.dialog.openDialogs).toHaveLength(2)
    // Asked once: a second "requested" open without a new request opens nothing.
    expect(await shell.call('openDatabase', { requested: true })).toMatchObject({ ok: false, error: { code: 'cancelled' } })

    // A file that has gone since is left out; Clear recent keeps only the one in use.
    rmSync(second)
    run = await shell.restart()
    expect((menuItem('Open Recent').submenu ?? []).map((item) => item.label)).toEqual([
      `first.db — ${dirname(first)}`,
      `rolekeeper.db — ${dirname(own)}`,
      undefined,
      'Clear recent'
    ])
    menuItem('clear-recent').click?.()
    expect((menuItem('Open Recent').submenu ?? []).map((item) => item.label)).toEqual([
      `first.db — ${dirname(first)}`,
      undefined,
      'Clear recent'
    ])
  })

  it('macOS and Windows hear of every database opened, for Open Recent, the dock and the jump list', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const shell = await start({ platform })
      const file = await otherDatabase(shell.folder.file('other.db'), 'Other', shell.app.store.inviteKeys)
      shell.electron.dialog.openPath = file
      expect(await shell.call('openDatabase', {})).toMatchObject({ ok: true })
      expect(shell.electron.app.recentDocuments, platform).toEqual([shell.app.paths.database, file])
      shell.stop()
      shell.folder.cleanup()
      run = null
    }
  })
})

describe('a database given to the app', () => {
  it('on the command line: the app starts on it, resolved from where the command was typed', async () => {
    const folder = tempDir('rolekeeper-argv-')
    extraCleanups.push(folder.cleanup)
    const file = await otherDatabase(folder.file('people.db'), 'People', await testInviteKeys())
    const shell = await start({
      environment: { argv: ['/opt/Rolekeeper/rolekeeper', '--enable-logging', 'people.db'], workingDirectory: folder.dir }
    })
    expect(shell.app.store.file).toBe(file)
    expect(JSON.stringify(await shell.call('listRoles', {}))).toContain('People')
  })

  it('on the command line, a file that cannot be opened is left as it was and the app starts on its own database', async () => {
    const folder = tempDir('rolekeeper-argv-')
    extraCleanups.push(folder.cleanup)
    writeFileSync(folder.file('broken.db'), 'not a database at all, only some text')
    const shell = await start({ environment: { argv: ['rolekeeper', folder.file('broken.db')], workingDirectory: '/' } })
    expect(shell.app.store.file).toBe(shell.app.paths.database)
    expect(shell.electron.dialog.errors[0]?.content).toContain(
      `The database you asked to open, ${folder.file('broken.db')}, was not changed`
    )
    expect(readFileSync(folder.file('broken.db'), 'utf8')).toBe('not a database at all, only some text')
  })

  it('to a second launch: the running window comes forward and opens it as Open database would', async () => {
    const shell = await start()
    const file = await otherDatabase(shell.folder.file('second.db'), 'Second', shell.app.store.inviteKeys)
    shell.window().minimized = true
    shell.electron.app.emit('second-instance', {}, ['/usr/bin/rolekeeper', basename(file)], dirname(file))
    expect(shell.window().minimized).toBe(false)
    expect(commandsSent()).toEqual(['open-requested-database'])
    expect(await shell.call('openDatabase', { requested: true })).toMatchObject({ ok: true, value: { databasePath: file } })
    await settle()
    expect(shell.window().webContents.reloads).toBe(1)
  })

  it('by Finder on macOS with every window closed: it is opened, then shown', async () => {
    const shell = await start({ platform: 'darwin' })
    const file = await otherDatabase(shell.folder.file('finder.db'), 'Finder', shell.app.store.inviteKeys)
    shell.window().close()
    let prevented = false
    shell.electron.app.emit('open-file', { preventDefault: () => (prevented = true) }, file)
    expect(prevented).toBe(true)
    await vi.waitFor(() => expect(FakeWindow.created).toHaveLength(2))
    expect(shell.app.store.file).toBe(file)
  })
})

describe('Show in folder', () => {
  it('shows an export and a backup where they were saved, by the id their outcome carried', async () => {
    const shell = await start()
    expect(await shell.call('inviteUsers', { text: 'ann@example.org', roleId: null })).toMatchObject({ ok: true })
    shell.electron.dialog.savePath = shell.folder.file('invites.csv')
    const exported = await shell.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })
    shell.electron.dialog.savePath = shell.folder.file('backup.db')
    const backedUp = await shell.call('backupDatabase', {})
    if (!exported.ok || !backedUp.ok) throw new Error('Nothing was saved')
    for (const outcome of [exported.value, backedUp.value]) {
      expect(await shell.call('showSavedFile', { savedFileId: outcome.savedFileId })).toEqual({ ok: true, value: { shown: true } })
    }
    expect(shell.electron.shell.shownInFolder).toEqual([shell.folder.file('invites.csv'), shell.folder.file('backup.db')])
  })

  it('shows nothing for an id it never gave, or a file that has gone since; the page cannot name a path', async () => {
    const shell = await start()
    shell.electron.dialog.savePath = shell.folder.file('backup.db')
    const backedUp = await shell.call('backupDatabase', {})
    if (!backedUp.ok) throw new Error('Nothing was saved')
    rmSync(shell.folder.file('backup.db'))
    expect(await shell.call('showSavedFile', { savedFileId: backedUp.value.savedFileId })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'backup.db is no longer where it was saved.' }
    })
    expect(await shell.call('showSavedFile', { savedFileId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await shell.call('showSavedFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'validation' } })
    expect(shell.electron.shell.shownInFolder).toEqual([])
  })
})

describe('a notification when long work ends in the background', () => {
  const titles = (): string[] => FakeNotification.shown.map((notification) => notification.options.title)

  it('export, backup, import and invite each say they finished, and clicking brings the window forward', async () => {
    const shell = await start()
    shell.window().inFront = false
    expect(
      await shell.call('inviteUsers', { text: 'ann@example.org bob@example.org', roleId: null, operationId: randomUUID() })
    ).toMatchObject({ ok: true })
    shell.electron.dialog.savePath = shell.folder.file('invites.csv')
    expect(await shell.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })).toMatchObject({
      ok: true
    })
    shell.electron.dialog.savePath = shell.folder.file('backup.db')
    expect(await shell.call('backupDatabase', {})).toMatchObject({ ok: true })
    expect(await shell.call('applyImport', { file: { text: 'email\ncara@example.org\n' }, operationId: randomUUID() })).toMatchObject({
      ok: true
    })
    expect(FakeNotification.shown.map((notification) => notification.options)).toEqual([
      { title: 'Invite finished', body: '2 invited, 0 re-invited, 0 invalid' },
      { title: 'Export finished', body: '2 rows saved to invites.csv' },
      { title: 'Backup finished', body: 'The database was saved to backup.db' },
      { title: 'Import finished', body: '1 new, 0 updated, 0 invalid' }
    ])

    shell.window().minimized = true
    FakeNotification.shown[0]?.click()
    expect(shell.window().minimized).toBe(false)
    expect(shell.window().focused).toBeGreaterThan(0)
  })

  it('says when it failed; says nothing when the window is in front, when cancelled, or where notifications are not supported', async () => {
    const shell = await start()
    shell.window().inFront = false
    shell.electron.dialog.savePath = shell.folder.file('no/such/folder/invites.csv')
    expect(await shell.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })).toMatchObject({
      ok: false
    })
    expect(titles()).toEqual(['Export failed'])

    shell.electron.dialog.savePath = null
    expect(await shell.call('backupDatabase', {})).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    shell.window().inFront = true
    shell.electron.dialog.savePath = shell.folder.file('backup.db')
    expect(await shell.call('backupDatabase', {})).toMatchObject({ ok: true })
    shell.window().inFront = false
    FakeNotification.supported = false
    expect(await shell.call('backupDatabase', {})).toMatchObject({ ok: true })
    expect(titles()).toEqual(['Export failed'])
  })
})

describe('Open database checks the file with progress and Cancel', () => {
  /** A database large enough that its check takes several steps. */
  async function largeDatabase(path: string, inviteKeys: InviteKeys): Promise<string> {
    const store = await openStore({ file: path, inviteKeys })
    store.sqlite
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO users (id, email, email_key, status, created_at, updated_at)
         SELECT printf('00000000-0000-4000-8000-%012d', i), printf('u%d@example.org', i), printf('u%d@example.org', i), 'active', 'x', 'x' FROM n`
      )
      .run()
    store.close()
    return path
  }

  it('reports the check’s progress to the page and the taskbar, tagged with the operation', async () => {
    const shell = await start()
    const file = await largeDatabase(shell.folder.file('large.db'), shell.app.store.inviteKeys)
    shell.electron.dialog.openPath = file
    const operationId = randomUUID()
    expect(await shell.call('openDatabase', { operationId })).toMatchObject({ ok: true, value: { databasePath: file } })
    const events = shell
      .window()
      .webContents.sent.filter((message) => message.channel === SHELL_CHANNELS.progress)
      .map((message) => message.args[0] as { operationId: string; done: number; total: number })
    expect(events.length).toBeGreaterThan(2)
    expect(events.every((event) => event.operationId === operationId)).toBe(true)
    expect(events.at(-1)?.done).toBe(events.at(-1)?.total)
    expect(shell.window().progress.at(-1)).toBe(-1)
  })

  it('Cancel stops the check: the current database stays in use and nothing is reloaded', async () => {
    const shell = await start()
    expect(await shell.call('createRole', { name: 'Kept' })).toMatchObject({ ok: true })
    const current = shell.app.store
    const file = await largeDatabase(shell.folder.file('large.db'), shell.app.store.inviteKeys)
    const before = readFileSync(file)
    shell.electron.dialog.openPath = file
    const operationId = randomUUID()
    const window = shell.window()
    const setProgress = window.setProgressBar.bind(window)
    let cancelling: Promise<unknown> | null = null
    window.setProgressBar = (progress: number): void => {
      setProgress(progress)
      if (progress >= 0 && !cancelling) cancelling = shell.call('cancelOperation', { operationId })
    }
    const result = await shell.call('openDatabase', { operationId })
    expect(await cancelling).toMatchObject({ ok: true, value: { cancelled: true } })
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(shell.app.store).toBe(current)
    expect(current.sqlite.open).toBe(true)
    expect(JSON.stringify(await shell.call('listRoles', {}))).toContain('Kept')
    await settle()
    expect(window.webContents.reloads).toBe(0)
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(existsSync(`${file}-wal`) && readFileSync(`${file}-wal`).length > 0).toBe(false)
  })

  it('a read-only file is refused as read-only, the current database kept', async () => {
    const shell = await start()
    const file = await otherDatabase(shell.folder.file('readonly.db'), 'Locked', shell.app.store.inviteKeys)
    chmodSync(file, 0o444)
    extraCleanups.push(() => chmodSync(file, 0o644))
    // As root, permissions do not stop a write: the immutable attribute does.
    if (process.getuid?.() === 0) {
      execFileSync('chattr', ['+i', file])
      extraCleanups.unshift(() => execFileSync('chattr', ['-i', file]))
    }
    shell.electron.dialog.openPath = file
    const result = await shell.call('openDatabase', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'database', message: expect.stringMatching(/^readonly\.db is read-only, /) } })
    expect(shell.app.store.file).toBe(shell.app.paths.database)
  })
})
