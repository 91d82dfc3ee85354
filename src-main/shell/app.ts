/**
 * The desktop app's start-up: one instance, the data folder, the store, the IPC contract, the
 * `app:` protocol, the menu and the window. Every Electron piece is a parameter, typed by the
 * small interfaces of the shell modules, so the tests run all of it against recording fakes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DomainError } from '../core/errors'
import { loadOrCreateInviteKey, type KeyProtection } from '../core/keyfile'
import { openStore, type Store } from '../core/store'
import { SHELL_CHANNELS } from '../ipc/calls'
import { createHandlerMap, type HandlerMap } from '../ipc/handlers'
import { registerIpc, trustedSender, type IpcMainLike, type SenderFrame } from '../ipc/register'
import { installMenu, type MenuLike } from './menu'
import { refusePermissions, type SessionLike } from './permissions'
import { APP_INDEX_URL, registerAppScheme, serveApp, type ProtocolLike } from './protocol'
import {
  confirmCloseWithUnsavedChanges,
  focusWindow,
  placementOf,
  refuseNavigation,
  restorablePlacement,
  windowOptions,
  type Bounds,
  type DialogLike,
  type UnsavedChanges,
  type WindowLike,
  type WindowOptions
} from './window'

export interface AppLike {
  readonly isPackaged: boolean
  requestSingleInstanceLock(): boolean
  whenReady(): Promise<unknown>
  quit(): void
  exit(code?: number): void
  getPath(name: 'userData'): string
  getVersion(): string
  getName(): string
  on(event: 'second-instance', listener: () => void): unknown
  on(event: 'window-all-closed', listener: () => void): unknown
  on(event: 'activate', listener: () => void): unknown
  on(event: 'will-quit', listener: () => void): unknown
  on(event: 'before-quit', listener: () => void): unknown
}

/** The renderer's one-way messages to the shell (not contract calls). */
export interface IpcMainShellLike {
  on(channel: string, listener: (event: { readonly senderFrame: SenderFrame | null; readonly sender: unknown }, ...args: unknown[]) => void): unknown
}

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
  getSelectedStorageBackend(): string
}

export interface ShellElectron<W extends WindowLike, M> {
  app: AppLike
  BrowserWindow: new (options: WindowOptions) => W
  ipcMain: IpcMainLike & IpcMainShellLike
  protocol: ProtocolLike
  session: { readonly defaultSession: SessionLike }
  Menu: MenuLike<M>
  dialog: DialogLike<W> & { showErrorBox(title: string, content: string): void }
  safeStorage: SafeStorageLike
  screen: { getAllDisplays(): Array<{ readonly workArea: Bounds }> }
}

export interface ShellEnvironment {
  platform: NodeJS.Platform
  /** The folder of the built main bundle (`out/main`): preload and renderer sit beside it. */
  mainDir: string
  /** The dev server's URL while developing (electron-vite sets ELECTRON_RENDERER_URL). */
  rendererUrl?: string
}

export interface DataPaths {
  folder: string
  database: string
  inviteKey: string
  windowState: string
}

export function dataPaths(userData: string): DataPaths {
  return {
    folder: userData,
    database: join(userData, 'rolekeeper.db'),
    inviteKey: join(userData, 'invite.key'),
    windowState: join(userData, 'window-state.json')
  }
}

export function bundlePaths(mainDir: string): { preload: string; renderer: string } {
  return { preload: join(mainDir, '../preload/index.cjs'), renderer: join(mainDir, '../renderer') }
}

/**
 * The invite key wrapped by the operating system's secure storage where there is a real one.
 * Linux without a keyring falls back to a hard-coded password, which protects nothing.
 */
export function keyProtection(safeStorage: SafeStorageLike, platform: NodeJS.Platform): KeyProtection | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined
  if (platform === 'linux' && ['basic_text', 'unknown'].includes(safeStorage.getSelectedStorageBackend())) return undefined
  return {
    protect: (key) => safeStorage.encryptString(key.toString('base64')),
    unprotect: (stored) => Buffer.from(safeStorage.decryptString(stored), 'base64')
  }
}

export interface RunningApp<W> {
  store: Store
  handlers: HandlerMap
  paths: DataPaths
  /** The current main window (re-created on macOS when the dock icon is clicked). */
  window(): W | null
}

/** Start the desktop app; null when another instance already runs (it gets focused instead). */
export async function startApp<W extends WindowLike, M>(
  electron: ShellElectron<W, M>,
  environment: ShellEnvironment
): Promise<RunningApp<W> | null> {
  const { app } = electron
  // Privileged schemes must be declared before the app is ready.
  registerAppScheme(electron.protocol)

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }

  let window: W | null = null
  let unsaved: UnsavedChanges | null = null
  let openWindow: (() => W) | null = null
  // Quit (menu, dock, shortcut) closes the windows first; a window kept open cancels it.
  let quitRequested = false
  app.on('before-quit', () => {
    quitRequested = true
  })
  const showWindow = (): void => {
    if (window && !window.isDestroyed()) focusWindow(window)
    else openWindow?.()
  }
  app.on('second-instance', showWindow)

  await app.whenReady()

  refusePermissions(electron.session.defaultSession)
  const bundle = bundlePaths(environment.mainDir)
  serveApp(electron.protocol, { rendererDir: bundle.renderer })
  installMenu(electron.Menu, environment.platform, { appName: app.getName(), developer: !app.isPackaged })

  const paths = dataPaths(app.getPath('userData'))
  let store: Store
  try {
    mkdirSync(paths.folder, { recursive: true })
    const inviteKey = loadOrCreateInviteKey(paths.inviteKey, keyProtection(electron.safeStorage, environment.platform))
    store = await openStore({ file: paths.database, inviteKey })
  } catch (error) {
    console.error('[rolekeeper] cannot open the data folder:', error)
    const message =
      error instanceof DomainError ? error.message : `${error instanceof Error ? error.message : String(error)}`
    electron.dialog.showErrorBox(
      'Rolekeeper cannot open its database',
      `${message}\n\nThe data folder is ${paths.folder}. Nothing in it was changed.`
    )
    app.exit(1)
    return null
  }

  const handlers = createHandlerMap({
    store,
    appInfo: { version: app.getVersion(), databasePath: paths.database, runtime: 'desktop' }
  })
  const isTrusted = trustedSender(environment.rendererUrl)
  registerIpc(electron.ipcMain, handlers, isTrusted)

  electron.ipcMain.on(SHELL_CHANNELS.unsavedChanges, (event, value) => {
    if (!window || event.sender !== window.webContents) return
    if (!event.senderFrame || !isTrusted(event.senderFrame)) return
    unsaved?.set(value === true)
  })

  openWindow = (): W => {
    const placement = restorablePlacement(
      readJson(paths.windowState),
      electron.screen.getAllDisplays().map((display) => display.workArea)
    )
    const created = new electron.BrowserWindow(windowOptions(bundle.preload, placement))
    refuseNavigation(created.webContents)
    unsaved = confirmCloseWithUnsavedChanges(created, electron.dialog, () => {
      quitRequested = false
    })
    created.on('close', () => writeJson(paths.windowState, placementOf(created)))
    created.once('ready-to-show', () => {
      if (placement?.maximized) created.maximize()
      created.show()
    })
    created.loadURL(environment.rendererUrl ?? APP_INDEX_URL).catch((error: unknown) => {
      console.error('[rolekeeper] the window could not load its page:', error)
    })
    window = created
    return created
  }
  openWindow()

  app.on('activate', showWindow)
  app.on('window-all-closed', () => {
    // macOS keeps an app running with no window until Quit.
    if (environment.platform !== 'darwin' || quitRequested) app.quit()
  })
  app.on('will-quit', () => store.close())

  return { store, handlers, paths, window: () => window }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

function writeJson(file: string, value: unknown): void {
  try {
    writeFileSync(file, `${JSON.stringify(value)}\n`)
  } catch (error) {
    // Losing the window's position is not worth more than a log line.
    console.warn('[rolekeeper] could not remember the window position:', error)
  }
}
