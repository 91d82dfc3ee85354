/**
 * The native menu: the standard roles, so copy, paste, undo and window handling behave as on any
 * other app on the platform (on macOS the Edit menu is what makes the shortcuts work at all),
 * and the app's own commands, which go to the page as `MenuCommand`s.
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

export interface MenuItemTemplate {
  id?: string
  label?: string
  role?: MenuRole
  type?: 'separator' | 'submenu'
  accelerator?: string
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
}

/** What the menu's own items do. */
export interface MenuActions {
  /** Hand a command to the page (Save, New user, Find, the File menu's dialogs). */
  command(command: MenuCommand): void
  /** Version and database path. */
  about(): void
  openLogsFolder(): void
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

  const appMenu: MenuItemTemplate[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            about,
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
        command('backup-database', 'Back up database…'),
        separator,
        command('import-users', 'Import users…'),
        command('export-invites', 'Export invites…'),
        separator,
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
      submenu: [...(mac ? [] : [about, separator]), { id: 'open-logs', label: 'Open logs folder', click: () => actions.openLogsFolder() }]
    }
  ]
}

export function installMenu<M>(menu: MenuLike<M>, platform: NodeJS.Platform, options: MenuOptions, actions: MenuActions): void {
  menu.setApplicationMenu(menu.buildFromTemplate(menuTemplate(platform, options, actions)))
}
