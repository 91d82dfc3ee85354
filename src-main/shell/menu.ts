/**
 * The native menu: the standard roles, so copy, paste, undo and window handling behave as on any
 * other app on the platform (on macOS the Edit menu is what makes the shortcuts work at all).
 */

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
  label?: string
  role?: MenuRole
  type?: 'separator' | 'submenu'
  submenu?: MenuItemTemplate[]
}

export interface MenuLike<M> {
  buildFromTemplate(template: MenuItemTemplate[]): M
  setApplicationMenu(menu: M | null): void
}

const separator: MenuItemTemplate = { type: 'separator' }

export function menuTemplate(platform: NodeJS.Platform, options: { appName: string; developer: boolean }): MenuItemTemplate[] {
  const mac = platform === 'darwin'
  const appMenu: MenuItemTemplate[] = mac
    ? [
        {
          label: options.appName,
          submenu: [
            { role: 'about' },
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
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
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
        { role: 'selectAll' }
      ]
    },
    {
      label: 'View',
      submenu: [
        ...(options.developer
          ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] satisfies MenuItemTemplate[]
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
      submenu: mac
        ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }]
        : [{ role: 'minimize' }, { role: 'close' }]
    }
  ]
}

export function installMenu<M>(menu: MenuLike<M>, platform: NodeJS.Platform, options: { appName: string; developer: boolean }): void {
  menu.setApplicationMenu(menu.buildFromTemplate(menuTemplate(platform, options)))
}
