/**
 * The desktop app's start-up: one instance, the log, the data folder, the store, the IPC
 * contract, the `app:` protocol, the menu and the window, and the desktop's habits around them:
 * the system theme and title bar following the theme setting, recent databases, a database file
 * given on the command line or to a second launch, Show in folder and notifications. Every
 * Electron piece is a parameter, typed by the small interfaces of the shell modules, so the
 * tests run all of it against recording fakes.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { extname, join, resolve } from 'node:path'
import { DomainError } from '../core/errors'
import { directusTargetFile, type DirectusTargetStorage } from '../core/directus-target'
import { loadInviteKeys, type InviteKeys } from '../core/invite-keys'
import type { KeyProtection } from '../core/keyfile'
import type { Theme } from '../core/model'
import { getSettings } from '../core/settings'
import { openStore, type Store } from '../core/store'
import { SHELL_CHANNELS, type MenuCommand } from '../ipc/calls'
import { createHandlerMap, type HandlerMap } from '../ipc/handlers'
import { registerIpc, trustedSender, type IpcMainLike, type SenderFrame } from '../ipc/register'
import { writeFileAtomic } from '../core/files'
import { createDesktopFiles, DATABASE_FILTERS, type FileDialogLike, type OpenDialogOptionsLike } from './files'
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
  WINDOW_BACKGROUND,
  windowOptions,
  type Bounds,
  type MessageBoxOptionsLike,
  type PreventableEvent,
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
  /** The system's list of recent files (macOS Open Recent and dock, the Windows jump list). */
  addRecentDocument(path: string): void
  clearRecentDocuments(): void
  on(event: 'second-instance', listener: (event: unknown, argv: string[], workingDirectory: string) => void): unknown
  /** macOS: a file dropped on the dock icon, opened from Finder or from Open Recent. */
  on(event: 'open-file', listener: (event: PreventableEvent, path: string) => void): unknown
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

/** `nativeTheme`: what Chromium's `prefers-color-scheme`, the title bar and native dialogs follow. */
export interface NativeThemeLike {
  themeSource: Theme
  readonly shouldUseDarkColors: boolean
  on(event: 'updated', listener: () => void): unknown
}

export interface NotificationLike {
  show(): void
  on(event: 'click', listener: () => void): unknown
}

export interface NotificationModuleLike {
  new (options: { title: string; body: string }): NotificationLike
  isSupported(): boolean
}

/** The dialogs the start-up needs before any window exists. */
export interface WindowlessDialogLike {
  showErrorBox(title: string, content: string): void
  showMessageBox(options: MessageBoxOptionsLike): Promise<{ response: number }>
  showOpenDialog(options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>
}

export interface ShellElectron<W extends WindowLike, M> {
  app: AppLike
  BrowserWindow: new (options: WindowOptions) => W
  ipcMain: IpcMainLike & IpcMainShellLike
  protocol: ProtocolLike
  session: { readonly defaultSession: SessionLike }
  Menu: MenuLike<M>
  dialog: FileDialogLike<W> & WindowlessDialogLike
  safeStorage: SafeStorageLike
  screen: {
    getAllDisplays(): Array<{ readonly id: number; readonly workArea: Bounds }>
    getPrimaryDisplay(): { readonly id: number; readonly workArea: Bounds }
  }
  shell: { openPath(path: string): Promise<string>; showItemInFolder(path: string): void }
  nativeTheme: NativeThemeLike
  Notification: NotificationModuleLike
}

export interface ShellEnvironment {
  platform: NodeJS.Platform
  /** The folder of the built main bundle (`out/main`): preload and renderer sit beside it. */
  mainDir: string
  /** The dev server's URL while developing (electron-vite sets ELECTRON_RENDERER_URL). */
  rendererUrl?: string
  /** The packaged app's resources folder (`process.resourcesPath`), where the help lives. */
  resourcesDir?: string
  /** The command line the app was started with (a database file may be on it), and where from. */
  argv?: readonly string[]
  workingDirectory?: string
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
 * The documentation Help opens: a page shipped with the app (electron-builder's extraResources),
 * opened in the default browser, so it reads the same offline; from a checkout, the source file.
 */
export function helpFile(environment: Pick<ShellEnvironment, 'mainDir' | 'resourcesDir'>, packaged: boolean): string {
  return packaged && environment.resourcesDir
    ? join(environment.resourcesDir, 'help', 'index.html')
    : join(environment.mainDir, '../../resources/help/index.html')
}

const DATABASE_EXTENSIONS = new Set(DATABASE_FILTERS.flatMap((filter) => filter.extensions).filter((extension) => extension !== '*'))

/**
 * The database file named on a command line (`rolekeeper ~/people.db`), resolved from where it
 * was typed: the last argument with a database's extension. The first is the executable; flags
 * (Chromium's and Electron's own) start with a dash.
 */
export function databaseArgument(argv: readonly string[], workingDirectory: string): string | null {
  for (const argument of argv.slice(1).toReversed()) {
    if (argument.startsWith('-')) continue
    if (DATABASE_EXTENSIONS.has(extname(argument).slice(1).toLowerCase())) return resolve(workingDirectory, argument)
  }
  return null
}

/** Recent databases kept (File → Open Recent on Windows and Linux). */
export const RECENT_KEPT = 10

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
  /** Opens a file the desktop was asked to open, once the app is running. */
  let requestDatabase: ((file: string) => void) | null = null
  let requestedAtStart = databaseArgument(environment.argv ?? [], environment.workingDirectory ?? process.cwd())
  // Quit (menu, dock, shortcut) closes the windows first; a window kept open cancels it.
  let quitRequested = false
  app.on('before-quit', () => {
    quitRequested = true
  })
  const showWindow = (): void => {
    if (window && !window.isDestroyed()) focusWindow(window)
    else openWindow?.()
  }
  const requested = (file: string): void => {
    if (requestDatabase) requestDatabase(file)
    else requestedAtStart = file
  }
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = databaseArgument(argv, workingDirectory)
    if (file) requested(file)
    else showWindow()
  })
  // Registered before ready: macOS sends the file a launch was for before the app is ready.
  app.on('open-file', (event, file) => {
    event.preventDefault()
    requested(file)
  })

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
  try {
    mkdirSync(paths.backups, { recursive: true })
    inviteKeys = await loadInviteKeys({ signing: paths.signingKey, legacy: paths.legacyInviteKey }, protection)
  } catch (error) {
    console.error('[rolekeeper] cannot open the data folder:', error)
    electron.dialog.showErrorBox('Rolekeeper cannot open its data folder', `${messageOf(error)}\n\nThe data folder is ${paths.folder}.`)
    app.exit(1)
    return null
  }
  const opened = await openAtStart(electron.dialog, paths, { inviteKeys, directusTarget }, requestedAtStart)
  if (!opened) {
    app.exit(1)
    return null
  }
  let store: Store = opened

  const recentMenu = environment.platform !== 'linux'
  const remember = (file: string): void => {
    rememberDatabase(paths, file)
    // macOS fills File → Open Recent and the dock menu from this; Windows its jump list.
    if (recentMenu) app.addRecentDocument(file)
    reinstallMenu()
  }

  const background = (): string => (electron.nativeTheme.shouldUseDarkColors ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light)
  const applyTheme = (theme: Theme): void => {
    // The page's prefers-color-scheme, the title bar and the native dialogs all follow it.
    electron.nativeTheme.themeSource = theme
    if (window && !window.isDestroyed()) window.setBackgroundColor(background())
  }
  electron.nativeTheme.on('updated', () => {
    if (window && !window.isDestroyed()) window.setBackgroundColor(background())
  })
  applyTheme(getSettings(store).theme)

  const files = createDesktopFiles({
    dialog: electron.dialog,
    window: () => window,
    startFolder: documentsFolder(app, paths.folder),
    hasUnsavedChanges: () => unsaved?.get() ?? false,
    openStore: (file, control) =>
      openStore({ file, inviteKeys, directusTarget, mustExist: true, backupDir: paths.backups, integrity: control }),
    currentStore: () => store,
    switched: (next) => {
      store = next
      remember(next.file)
      log.write('info', `Switched to the database ${next.file}`)
    },
    showItemInFolder: (path) => electron.shell.showItemInFolder(path),
    notify: (notice) => {
      if (!electron.Notification.isSupported()) return
      const notification = new electron.Notification(notice)
      notification.on('click', showWindow)
      notification.show()
    }
  })
  const handlers = createHandlerMap({
    store,
    appInfo: { version: app.getVersion(), databasePath: store.file, runtime: 'desktop' },
    files,
    settingsChanged: (settings) => applyTheme(settings.theme)
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

  requestDatabase = (file: string): void => {
    files.requestDatabase(file)
    if (window && !window.isDestroyed()) {
      // The page opens it as it opens a chosen file: unsaved edits asked about, progress, Cancel.
      sendCommand('open-requested-database')
      return
    }
    // No page to ask or to show progress in (macOS, every window closed): open it, then show it.
    void handlers.openDatabase({ requested: true }).then((result) => {
      if (!result.ok && result.error.code !== 'cancelled') {
        electron.dialog.showErrorBox('Rolekeeper could not open the database', result.error.message)
      }
      showWindow()
    })
  }

  const help = helpFile(environment, app.isPackaged)
  const openPath = (path: string, what: string): void => {
    electron.shell
      .openPath(path)
      .then((problem) => {
        if (problem) console.warn(`[rolekeeper] could not open ${what}: ${problem}`)
      })
      .catch((error: unknown) => console.warn(`[rolekeeper] could not open ${what}:`, error))
  }
  function reinstallMenu(): void {
    installMenu(
      electron.Menu,
      environment.platform,
      { appName: app.getName(), developer: !app.isPackaged, recent: recentDatabases(paths) },
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
        openLogsFolder: () => openPath(log.folder, 'the logs folder'),
        openHelp: () => openPath(help, 'the help'),
        openRecent: (file) => requestDatabase?.(file),
        clearRecent: () => {
          forgetRecentDatabases(paths)
          if (recentMenu) app.clearRecentDocuments()
          reinstallMenu()
        }
      }
    )
  }
  remember(store.file)

  openWindow = (): W => {
    const primary = electron.screen.getPrimaryDisplay()
    const others = electron.screen.getAllDisplays().filter((display) => display.id !== primary.id)
    const placement = restorablePlacement(
      readJson(paths.windowState),
      // The primary display first: a window no display shows any more is put back on it.
      [primary, ...others].map((display) => display.workArea)
    )
    const created = new electron.BrowserWindow(windowOptions(bundle.preload, placement, electron.nativeTheme.shouldUseDarkColors))
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
 * The store to start on. A database the desktop was asked to open (command line, Finder) comes
 * first, then the one opened last time if the admin chose another file, else the one in the data
 * folder. One that cannot be opened any more is passed over with a message saying so. If even
 * the data folder's database is refused (damaged, read-only, newer), the admin is told why and
 * offered a way out — open another database, such as a backup — or to quit; nothing is changed.
 * Null: the admin quit.
 */
async function openAtStart(
  dialog: WindowlessDialogLike,
  paths: DataPaths,
  keys: { inviteKeys: InviteKeys; directusTarget: DirectusTargetStorage },
  requested: string | null
): Promise<Store | null> {
  const open = (file: string, mustExist: boolean): Promise<Store> => openStore({ file, ...keys, mustExist, backupDir: paths.backups })
  const chosen = rememberedDatabase(paths)
  for (const [file, why] of [
    [requested, 'The database you asked to open'],
    [chosen, 'The database used last time']
  ] as const) {
    if (file === null || resolve(file) === resolve(paths.database)) continue
    try {
      const store = await open(file, true)
      rememberDatabase(paths, store.file)
      return store
    } catch (error) {
      console.error(`[rolekeeper] ${file} cannot be opened:`, error)
      if (file === chosen) rememberDatabase(paths, paths.database)
      dialog.showErrorBox(
        'Rolekeeper opened its own database instead',
        `${messageOf(error)}\n\n${why}, ${file}, was not changed. Rolekeeper opened ${paths.database} instead; choose File → Open database… to open another file.`
      )
    }
  }
  let problem: unknown
  try {
    return await open(paths.database, false)
  } catch (error) {
    problem = error
  }
  for (;;) {
    console.error('[rolekeeper] the database cannot be opened:', problem)
    const { response } = await dialog.showMessageBox({
      type: 'error',
      buttons: ['Open another database…', 'Quit'],
      defaultId: 0,
      cancelId: 1,
      title: 'Rolekeeper cannot open its database',
      message: 'Rolekeeper cannot open its database.',
      detail: `${messageOf(problem)}\n\nNothing in it was changed. You can open another database instead — a backup, for example (copies taken before each upgrade are in ${paths.backups}) — or quit.`,
      noLink: true
    })
    if (response !== 0) return null
    const answer = await dialog.showOpenDialog({
      title: 'Open database',
      defaultPath: paths.backups,
      buttonLabel: 'Open',
      filters: DATABASE_FILTERS,
      properties: ['openFile']
    })
    const [file] = answer.filePaths
    if (answer.canceled || !file) continue
    try {
      const store = await open(file, true)
      rememberDatabase(paths, store.file)
      return store
    } catch (error) {
      problem = error
    }
  }
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

interface DatabaseChoice {
  /** The file to open at the next start. */
  file: string | null
  /** Opened lately, newest first. */
  recent: string[]
}

function readChoice(paths: DataPaths): DatabaseChoice {
  const saved = readJson(paths.databaseChoice)
  const field = (name: string): unknown => (typeof saved === 'object' && saved !== null ? Reflect.get(saved, name) : undefined)
  const file = field('file')
  const recent = field('recent')
  return {
    file: typeof file === 'string' && file !== '' ? file : null,
    recent: Array.isArray(recent) ? recent.filter((entry): entry is string => typeof entry === 'string' && entry !== '') : []
  }
}

function writeChoice(paths: DataPaths, choice: DatabaseChoice): void {
  try {
    writeFileAtomic(paths.databaseChoice, `${JSON.stringify(choice)}\n`)
  } catch (error) {
    console.warn('[rolekeeper] could not remember which database is open:', error)
  }
}

function rememberedDatabase(paths: DataPaths): string | null {
  return readChoice(paths).file
}

/** `file` is open now: open it at the next start, and put it first among the recent ones. */
function rememberDatabase(paths: DataPaths, file: string): void {
  const { recent } = readChoice(paths)
  const key = resolve(file)
  writeChoice(paths, { file, recent: [file, ...recent.filter((entry) => resolve(entry) !== key)].slice(0, RECENT_KEPT) })
}

/** The recent databases that are still there. */
function recentDatabases(paths: DataPaths): string[] {
  return readChoice(paths).recent.filter((file) => existsSync(file))
}

function forgetRecentDatabases(paths: DataPaths): void {
  const { file } = readChoice(paths)
  writeChoice(paths, { file, recent: file === null ? [] : [file] })
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
