/**
 * The desktop app's start-up: one instance, the log, the data folder, the store, the IPC
 * contract, the `app:` protocol, the menu and the window. Every Electron piece is a parameter,
 * typed by the small interfaces of the shell modules, so the tests run all of it against
 * recording fakes.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DomainError } from '../core/errors'
import { directusTargetFile, type DirectusTargetStorage } from '../core/directus-target'
import { loadInviteKeys, type InviteKeys } from '../core/invite-keys'
import type { KeyProtection } from '../core/keyfile'
import { openStore, type Store } from '../core/store'
import { SHELL_CHANNELS, type MenuCommand } from '../ipc/calls'
import { createHandlerMap, type HandlerMap } from '../ipc/handlers'
import { registerIpc, trustedSender, type IpcMainLike, type SenderFrame } from '../ipc/register'
import { writeFileAtomic } from '../core/files'
import { createDesktopFiles, type FileDialogLike } from './files'
import { captureConsole, createLog, type Log } from './log'
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
  getPath(name: 'userData' | 'logs' | 'documents'): string
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
  on(
    channel: string,
    listener: (event: { readonly senderFrame: SenderFrame | null; readonly sender: unknown }, ...args: unknown[]) => void
  ): unknown
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
  dialog: FileDialogLike<W> & { showErrorBox(title: string, content: string): void }
  safeStorage: SafeStorageLike
  screen: {
    getAllDisplays(): Array<{ readonly id: number; readonly workArea: Bounds }>
    getPrimaryDisplay(): { readonly id: number; readonly workArea: Bounds }
  }
  shell: { openPath(path: string): Promise<string> }
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
  /** The database used unless another file was opened. */
  database: string
  /** Remembers another database file the admin opened, for the next start. */
  databaseChoice: string
  /** Copies taken before a database is migrated (the last few of each file are kept). */
  backups: string
  /** The Ed25519 private key invite tokens are signed with. */
  signingKey: string
  /** The HMAC key of links issued before tokens were signed; read if it exists, never made. */
  legacyInviteKey: string
  /** The Directus server's public URL and SECRET. */
  directusTarget: string
  windowState: string
}

export function dataPaths(userData: string): DataPaths {
  return {
    folder: userData,
    database: join(userData, 'rolekeeper.db'),
    databaseChoice: join(userData, 'database.json'),
    backups: join(userData, 'backups'),
    signingKey: join(userData, 'invite-signing.key'),
    legacyInviteKey: join(userData, 'invite.key'),
    directusTarget: join(userData, 'directus-target.key'),
    windowState: join(userData, 'window-state.json')
  }
}

export function bundlePaths(mainDir: string): { preload: string; renderer: string } {
  return { preload: join(mainDir, '../preload/index.cjs'), renderer: join(mainDir, '../renderer') }
}

/**
 * The keys and the Directus SECRET wrapped by the operating system's secure storage where there is a real one.
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
  /** The store in use now (another one after Open database). */
  readonly store: Store
  handlers: HandlerMap
  paths: DataPaths
  log: Log
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

  const paths = dataPaths(app.getPath('userData'))
  const protection = keyProtection(electron.safeStorage, environment.platform)
  const directusTarget = directusTargetFile(paths.directusTarget, protection)
  const log = createLog({ folder: app.getPath('logs'), secrets: () => loggedSecrets(directusTarget) })
  const releaseConsole = captureConsole(log)
  log.write('info', `Rolekeeper ${app.getVersion()} starting on ${environment.platform}`)

  refusePermissions(electron.session.defaultSession)
  const bundle = bundlePaths(environment.mainDir)
  serveApp(electron.protocol, { rendererDir: bundle.renderer })

  let inviteKeys: InviteKeys
  let store: Store
  try {
    mkdirSync(paths.backups, { recursive: true })
    inviteKeys = await loadInviteKeys({ signing: paths.signingKey, legacy: paths.legacyInviteKey }, protection)
    store = await openChosenDatabase(paths, { inviteKeys, directusTarget }, electron.dialog)
  } catch (error) {
    console.error('[rolekeeper] cannot open the data folder:', error)
    electron.dialog.showErrorBox(
      'Rolekeeper cannot open its database',
      `${messageOf(error)}\n\nThe data folder is ${paths.folder}. Nothing in it was changed.`
    )
    app.exit(1)
    return null
  }

  const files = createDesktopFiles({
    dialog: electron.dialog,
    window: () => window,
    startFolder: documentsFolder(app, paths.folder),
    hasUnsavedChanges: () => unsaved?.get() ?? false,
    openStore: (file) => openStore({ file, inviteKeys, directusTarget, mustExist: true, backupDir: paths.backups }),
    currentStore: () => store,
    switched: (next) => {
      store = next
      rememberDatabase(paths, next.file)
      log.write('info', `Switched to the database ${next.file}`)
    }
  })
  const handlers = createHandlerMap({
    store,
    appInfo: { version: app.getVersion(), databasePath: store.file, runtime: 'desktop' },
    files
  })
  const isTrusted = trustedSender(environment.rendererUrl)
  registerIpc(electron.ipcMain, handlers, isTrusted)

  electron.ipcMain.on(SHELL_CHANNELS.unsavedChanges, (event, value) => {
    if (!window || event.sender !== window.webContents) return
    if (!event.senderFrame || !isTrusted(event.senderFrame)) return
    unsaved?.set(value === true)
  })

  const sendCommand = (command: MenuCommand): void => {
    if (!window || window.isDestroyed()) {
      // macOS with every window closed: the command opens the window, the page starts afresh.
      showWindow()
      return
    }
    focusWindow(window)
    window.webContents.send(SHELL_CHANNELS.menuCommand, command)
  }
  installMenu(
    electron.Menu,
    environment.platform,
    { appName: app.getName(), developer: !app.isPackaged },
    {
      command: sendCommand,
      about: () => {
        if (!window || window.isDestroyed()) return
        electron.dialog
          .showMessageBox(window, {
            type: 'info',
            buttons: ['OK'],
            defaultId: 0,
            cancelId: 0,
            title: `About ${app.getName()}`,
            message: `${app.getName()} ${app.getVersion()}`,
            detail: `Database: ${store.file}\nData folder: ${paths.folder}\nLogs: ${log.folder}`,
            noLink: true
          })
          .catch((error: unknown) => console.error('[rolekeeper] the About box failed:', error))
      },
      openLogsFolder: () => {
        electron.shell
          .openPath(log.folder)
          .then((problem) => {
            if (problem) console.warn(`[rolekeeper] could not open the logs folder: ${problem}`)
          })
          .catch((error: unknown) => console.warn('[rolekeeper] could not open the logs folder:', error))
      }
    }
  )

  openWindow = (): W => {
    const primary = electron.screen.getPrimaryDisplay()
    const others = electron.screen.getAllDisplays().filter((display) => display.id !== primary.id)
    const placement = restorablePlacement(
      readJson(paths.windowState),
      // The primary display first: a window no display shows any more is put back on it.
      [primary, ...others].map((display) => display.workArea)
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
  app.on('will-quit', () => {
    store.close()
    releaseConsole()
  })

  return {
    get store() {
      return store
    },
    handlers,
    paths,
    log,
    window: () => window
  }
}

/**
 * The database opened last time if the admin chose another file, else the one in the data
 * folder. A chosen file that cannot be opened any more (moved, damaged, from a newer version) is
 * forgotten, with a message saying so, and the data folder's database opens instead.
 */
async function openChosenDatabase(
  paths: DataPaths,
  keys: { inviteKeys: InviteKeys; directusTarget: DirectusTargetStorage },
  dialog: { showErrorBox(title: string, content: string): void }
): Promise<Store> {
  const chosen = rememberedDatabase(paths)
  if (chosen !== null && resolve(chosen) !== resolve(paths.database)) {
    try {
      return await openStore({ file: chosen, ...keys, mustExist: true, backupDir: paths.backups })
    } catch (error) {
      console.error(`[rolekeeper] the database used last, ${chosen}, cannot be opened:`, error)
      rememberDatabase(paths, paths.database)
      dialog.showErrorBox(
        'Rolekeeper opened its own database instead',
        `${messageOf(error)}\n\nThe database used last time, ${chosen}, was not changed. Rolekeeper opened ${paths.database} instead; choose File → Open database… to open another file.`
      )
    }
  }
  return openStore({ file: paths.database, ...keys, backupDir: paths.backups })
}

/** What the log removes besides what it recognises by shape: the Directus SECRET, when one is kept. */
function loggedSecrets(directusTarget: DirectusTargetStorage): string[] {
  try {
    const target = directusTarget.read()
    return target ? [target.secret] : []
  } catch {
    // A damaged file is reported where the target is used; the log must go on.
    return []
  }
}

function rememberedDatabase(paths: DataPaths): string | null {
  const saved = readJson(paths.databaseChoice)
  const file: unknown = typeof saved === 'object' && saved !== null ? Reflect.get(saved, 'file') : null
  return typeof file === 'string' && file !== '' ? file : null
}

function rememberDatabase(paths: DataPaths, file: string): void {
  try {
    writeFileAtomic(paths.databaseChoice, `${JSON.stringify({ file })}\n`)
  } catch (error) {
    console.warn('[rolekeeper] could not remember which database is open:', error)
  }
}

/** Where the first save or open dialog starts; some Linux setups have no Documents folder. */
function documentsFolder(app: AppLike, fallback: string): string {
  try {
    return app.getPath('documents')
  } catch {
    return fallback
  }
}

function messageOf(error: unknown): string {
  if (error instanceof DomainError) return error.message
  return error instanceof Error ? error.message : String(error)
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
    writeFileAtomic(file, `${JSON.stringify(value)}\n`)
  } catch (error) {
    // Losing the window's position is not worth more than a log line.
    console.warn('[rolekeeper] could not remember the window position:', error)
  }
}
