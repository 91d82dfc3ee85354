/**
 * The native menu: platform conventions, the standard roles, the app's accelerators, and what
 * its own items do in the running app (commands to the page, About, the logs folder).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MENU_COMMANDS, SHELL_CHANNELS, type MenuCommand } from '../../src-main/ipc/calls'
import { menuTemplate, type MenuActions, type MenuItemTemplate } from '../../src-main/shell/menu'
import { FakeWindow } from './fake-electron'
import { settle, startShell, type ShellRun } from './harness'

function recordingActions(): MenuActions & {
  commands: MenuCommand[]
  abouts: number
  logs: number
  helps: number
  opened: string[]
  cleared: number
} {
  const commands: MenuCommand[] = []
  const actions = {
    commands,
    abouts: 0,
    logs: 0,
    helps: 0,
    opened: [] as string[],
    cleared: 0,
    command: (command: MenuCommand) => actions.commands.push(command),
    about: () => actions.abouts++,
    openLogsFolder: () => actions.logs++,
    openHelp: () => actions.helps++,
    openRecent: (file: string) => actions.opened.push(file),
    clearRecent: () => actions.cleared++
  }
  return actions
}

function menu(template: MenuItemTemplate[], label: string): MenuItemTemplate[] {
  const found = template.find((item) => item.label === label)
  if (!found?.submenu) throw new Error(`No ${label} menu`)
  return found.submenu
}

const everyItem = (items: MenuItemTemplate[]): MenuItemTemplate[] => items.flatMap((item) => [item, ...everyItem(item.submenu ?? [])])
const labels = (items: MenuItemTemplate[]): Array<string | undefined> =>
  items.filter((item) => item.type !== 'separator').map((item) => item.label ?? item.role)

describe('the menu template', () => {
  const packaged = { appName: 'Rolekeeper', developer: false, recent: [] }

  it('on macOS: the app menu with About, Settings… (⌘,), Services, Hide and Quit; File ends with Close', () => {
    const template = menuTemplate('darwin', packaged, recordingActions())
    expect(template.map((item) => item.label)).toEqual(['Rolekeeper', 'File', 'Edit', 'View', 'Window', 'Help'])
    expect(labels(menu(template, 'Rolekeeper'))).toEqual([
      'About Rolekeeper',
      'Settings…',
      'services',
      'hide',
      'hideOthers',
      'unhide',
      'quit'
    ])
    expect(menu(template, 'Rolekeeper').find((item) => item.id === 'settings')?.accelerator).toBe('CmdOrCtrl+,')
    expect(menu(template, 'File').at(-1)).toEqual({ role: 'close' })
    expect(labels(menu(template, 'Window'))).toEqual(['minimize', 'zoom', 'front'])
    // About lives in the app menu there, not twice; nor Settings in File.
    expect(labels(menu(template, 'Help'))).toEqual(['Rolekeeper Help', 'Open logs folder'])
    expect(labels(menu(template, 'File'))).not.toContain('Settings')
  })

  for (const platform of ['win32', 'linux'] as const) {
    it(`on ${platform}: no app menu, Settings and Quit at the end of File, Help first and About last in Help`, () => {
      const template = menuTemplate(platform, packaged, recordingActions())
      expect(template.map((item) => item.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help'])
      expect(menu(template, 'File').at(-1)).toEqual({ role: 'quit' })
      expect(labels(menu(template, 'File')).slice(-2)).toEqual(['Settings', 'quit'])
      expect(labels(menu(template, 'Help'))).toEqual(['Rolekeeper Help', 'Open logs folder', 'About Rolekeeper'])
      expect(everyItem(template).map((item) => item.role)).not.toContain('services')
    })
  }

  it('File holds New user, Save, Open database…, Open Recent, Back up database…, Import users… and Export invites…', () => {
    const file = menu(menuTemplate('linux', packaged, recordingActions()), 'File')
    expect(labels(file)).toEqual([
      'New user',
      'Save',
      'Open database…',
      'Open Recent',
      'Back up database…',
      'Import users…',
      'Export invites…',
      'Settings',
      'quit'
    ])
  })

  it('Open Recent lists the recent databases by name and folder, newest first, and clears them', () => {
    const actions = recordingActions()
    const recent = ['/home/ann/people.db', '/srv/share/people.db']
    const openRecent = menu(menu(menuTemplate('linux', { ...packaged, recent }, actions), 'File'), 'Open Recent')
    expect(labels(openRecent)).toEqual(['people.db — /home/ann', 'people.db — /srv/share', 'Clear recent'])
    openRecent[1]?.click?.()
    openRecent.at(-1)?.click?.()
    expect(actions.opened).toEqual(['/srv/share/people.db'])
    expect(actions.cleared).toBe(1)

    const none = menu(menu(menuTemplate('win32', packaged, actions), 'File'), 'Open Recent')
    expect(none).toEqual([{ label: 'No recent databases', enabled: false }])
    // macOS keeps the list itself (filled by app.addRecentDocument).
    const mac = menu(menuTemplate('darwin', { ...packaged, recent }, actions), 'File').find((item) => item.label === 'Open Recent')
    expect(mac).toEqual({ label: 'Open Recent', role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] })
  })

  it('gives Save, New user, Find, Open database and Settings their CmdOrCtrl accelerators and Help F1, each used once', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      const items = everyItem(menuTemplate(platform, packaged, recordingActions()))
      const accelerators = Object.fromEntries(items.filter((item) => item.accelerator).map((item) => [item.id, item.accelerator]))
      expect(accelerators, platform).toEqual({
        'new-user': 'CmdOrCtrl+N',
        save: 'CmdOrCtrl+S',
        'open-database': 'CmdOrCtrl+O',
        find: 'CmdOrCtrl+F',
        settings: 'CmdOrCtrl+,',
        // macOS gives its Help menu ⌘? itself.
        ...(platform === 'darwin' ? {} : { help: 'F1' })
      })
      const all = items.map((item) => item.accelerator).filter(Boolean)
      expect(new Set(all).size).toBe(all.length)
    }
  })

  it('sends each of its commands to the page; opening a requested database is the shell’s, not a menu item', () => {
    const actions = recordingActions()
    const items = everyItem(menuTemplate('linux', packaged, actions))
    for (const item of items) if (item.id && MENU_COMMANDS.some((command) => command === item.id)) item.click?.()
    expect([...actions.commands].sort()).toEqual(MENU_COMMANDS.filter((command) => command !== 'open-requested-database').sort())
    items.find((item) => item.id === 'about')?.click?.()
    items.find((item) => item.id === 'open-logs')?.click?.()
    items.find((item) => item.id === 'help')?.click?.()
    expect([actions.abouts, actions.logs, actions.helps]).toEqual([1, 1, 1])
  })

  it('offers reload and the developer tools only while developing', () => {
    const roles = (developer: boolean): Array<string | undefined> =>
      everyItem(menuTemplate('linux', { appName: 'Rolekeeper', developer, recent: [] }, recordingActions())).map((item) => item.role)
    expect(roles(false)).not.toEqual(expect.arrayContaining(['reload']))
    expect(roles(false)).not.toContain('toggleDevTools')
    expect(roles(false)).not.toContain('forceReload')
    expect(roles(true)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']))
    expect(roles(false)).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']))
  })

  it('Edit has the standard roles, so copy and paste work in every field', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const edit = menu(menuTemplate(platform, packaged, recordingActions()), 'Edit').map((item) => item.role)
      expect(edit, platform).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']))
    }
    expect(menu(menuTemplate('darwin', packaged, recordingActions()), 'Edit').map((item) => item.role)).toContain('pasteAndMatchStyle')
  })
})

describe('the menu in the running app', () => {
  let run: ShellRun
  afterEach(() => {
    run.stop()
    vi.restoreAllMocks()
    run.folder.cleanup()
  })

  const item = (id: string): MenuItemTemplate => {
    const found = everyItem(run.electron.Menu.applicationMenu?.template ?? []).find((entry) => entry.id === id)
    if (!found) throw new Error(`No menu item ${id}`)
    return found
  }

  it('hands a command to the page on the menu-command channel and brings the window forward', async () => {
    run = await startShell()
    run.window().minimized = true
    item('save').click?.()
    item('find').click?.()
    expect(run.window().webContents.sent).toEqual([
      { channel: SHELL_CHANNELS.menuCommand, args: ['save'] },
      { channel: SHELL_CHANNELS.menuCommand, args: ['find'] }
    ])
    expect(run.window().minimized).toBe(false)
  })

  it('on macOS with the window closed, a command opens the window again', async () => {
    run = await startShell({ platform: 'darwin' })
    run.window().close()
    item('new-user').click?.()
    expect(FakeWindow.created).toHaveLength(2)
  })

  it('About shows the version and the database in use', async () => {
    run = await startShell()
    item('about').click?.()
    await settle()
    const [about] = run.electron.dialog.asked
    expect(about?.message).toBe('Rolekeeper 1.2.3')
    expect(about?.detail).toContain(`Database: ${run.app.paths.database}`)
  })

  it('Open logs folder opens the folder the log is written to', async () => {
    run = await startShell()
    item('open-logs').click?.()
    expect(run.electron.shell.opened).toEqual([run.app.log.folder])
    expect(run.app.log.folder).toBe(run.electron.app.getPath('logs'))
  })
})
