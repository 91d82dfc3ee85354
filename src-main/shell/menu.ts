/**
 * The native menu: the standard roles, so copy, paste, undo and window handling behave as on any
 * other app on the platform (on macOS the Edit menu is what makes the shortcuts work at all),
 * each platform's places (Settings… in the macOS app menu, File → Settings elsewhere; About last
 * in Help outside macOS), and the app's own commands, which go to the page as `MenuCommand`s.
 */
import type { MenuCommand } from '../ipc/calls'

type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'appMenu'
  | 'fileMenu'
  | 'editMenu'
  | 'viewMenu'
  | 'windowMenu'
  | 'recentDocuments'
  | 'clearRecentDocuments'

export interface MenuItemTemplate {
  id?: string
  label?: string
  role?: MenuRole
  type?: 'separator' | 'submenu'
  accelerator?: string
  enabled?: boolean
  click?: () => void
  submenu?: MenuItemTemplate[]
}

export interface MenuLike<M> {
  buildFromTemplate(template: MenuItemTemplate[]): M
  setApplicationMenu(menu: M | null): void
}

export interface MenuOptions {
  appName: string
  /** Reload and the developer tools only while developing. */
  developer: boolean
  /** Database files opened lately, newest first (Windows and Linux; macOS keeps its own list). */
  recent: readonly string[]
}

/** What the menu's own items do. */
export interface MenuActions {
  /** Hand a command to the page (Save, New user, Find, Settings, the File menu's dialogs). */
  command(command: MenuCommand): void
  /** Version and database path. */
  about(): void
  openLogsFolder(): void
  /** The documentation shipped with the app. */
  openHelp(): void
  /** Open a database from File → Open Recent. */
  openRecent(file: string): void
  clearRecent(): void
}

/** `name — folder`, so two files of the same name in different folders can be told apart. */
function recentLabel(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))
  return cut < 0 ? file : `${file.slice(cut + 1)} — ${file.slice(0, cut) || file.slice(0, 1)}`
}

const separator: MenuItemTemplate = { type: 'separator' }

export function menuTemplate(platform: NodeJS.Platform, options: MenuOptions, actions: MenuActions): MenuItemTemplate[] {
  const mac = platform === 'darwin'
  const command = (id: MenuCommand, label: string, accelerator?: string): MenuItemTemplate => ({
    id,
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => actions.command(id)
  })
  const about: MenuItemTemplate = { id: 'about', label: `About ${options.appName}`, click: () => actions.about() }
  const settings = command('settings', mac ? 'Settings…' : 'Settings', 'CmdOrCtrl+,')
  // macOS fills its own list from app.addRecentDocument; elsewhere the app keeps one.
  const openRecent: MenuItemTemplate = mac
    ? { label: 'Open Recent', role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] }
    : {
        label: 'Open Recent',
        submenu:
          options.recent.length === 0
            ? [{ label: 'No recent databases', enabled: false }]
            : [
                ...options.recent.map((file): MenuItemTemplate => ({ label: recentLabel(file), click: () => actions.openRecent(file) })),
                separator,
                { id: 'clear-recent', label: 'Clear recent', click: () => actions.clearRecent() }
              ]
      }

  const appMenu: MenuItemTemplate[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            about,
            separator,
            settings,
            separator,
            { role: 'services' },
            separator,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            separator,
            { role: 'quit' }
          ]
        }
      ]
    : []
  return [
    ...appMenu,
    {
      label: 'File',
      submenu: [
        command('new-user', 'New user', 'CmdOrCtrl+N'),
        command('save', 'Save', 'CmdOrCtrl+S'),
        separator,
        command('open-database', 'Open database…', 'CmdOrCtrl+O'),
        openRecent,
        command('backup-database', 'Back up database…'),
        separator,
        command('import-users', 'Import users…'),
        command('export-invites', 'Export invites…'),
        separator,
        ...(mac ? [] : [settings, separator]),
        mac ? { role: 'close' } : { role: 'quit' }
      ]
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        ...(mac ? [{ role: 'pasteAndMatchStyle' } satisfies MenuItemTemplate] : []),
        { role: 'delete' },
        separator,
        { role: 'selectAll' },
        separator,
        command('find', 'Find…', 'CmdOrCtrl+F')
      ]
    },
    {
      label: 'View',
      submenu: [
        ...(options.developer
          ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] satisfies MenuItemTemplate[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        separator,
        { role: 'togglefullscreen' }
      ]
    },
    {
      label: 'Window',
      submenu: mac ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }] : [{ role: 'minimize' }, { role: 'close' }]
    },
    {
      label: 'Help',
      submenu: [
        { id: 'help', label: `${options.appName} Help`, ...(mac ? {} : { accelerator: 'F1' }), click: () => actions.openHelp() },
        { id: 'open-logs', label: 'Open logs folder', click: () => actions.openLogsFolder() },
        ...(mac ? [] : [separator, about])
      ]
    }
  ]
}

export function installMenu<M>(menu: MenuLike<M>, platform: NodeJS.Platform, options: MenuOptions, actions: MenuActions): void {
  menu.setApplicationMenu(menu.buildFromTemplate(menuTemplate(platform, options, actions)))
}
