/**
 * A recording stand-in for the parts of Electron the shell uses. It never loads the Electron
 * binary: the tests mock the `electron` module with it and assert what the shell passed in.
 */
import { join } from 'node:path'
import type { ProtocolLike } from '../../src-main/shell/protocol'
import type { AppLike, IpcMainShellLike, NativeThemeLike, NotificationLike, SafeStorageLike, ShellElectron } from '../../src-main/shell/app'
import type { Theme } from '../../src-main/core/model'
import type { IpcMainLike, InvokeEvent, SenderFrame } from '../../src-main/ipc/register'
import type { MenuItemTemplate, MenuLike } from '../../src-main/shell/menu'
import type { FileDialogLike, OpenDialogOptionsLike, SaveDialogOptionsLike } from '../../src-main/shell/files'
import type { SessionLike } from '../../src-main/shell/permissions'
import type {
  Bounds,
  MessageBoxOptionsLike,
  PreventableEvent,
  WebContentsLike,
  WindowLike,
  WindowOptions
} from '../../src-main/shell/window'

type Listener = (event: PreventableEvent, url: string) => void

function preventable(): PreventableEvent & { prevented: boolean } {
  const event = {
    prevented: false,
    preventDefault() {
      event.prevented = true
    }
  }
  return event
}

export class FakeWebContents implements WebContentsLike {
  readonly listeners = new Map<string, Listener[]>()
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null
  /** What main sent the page, in order. */
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  reloads = 0

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }

  reload(): void {
    this.reloads++
  }

  /** Emit `event` as Chromium would; true when a listener prevented it. */
  emit(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url = ''): boolean {
    const fired = preventable()
    for (const listener of this.listeners.get(event) ?? []) listener(fired, url)
    return fired.prevented
  }
}

export class FakeWindow implements WindowLike {
  static created: FakeWindow[] = []
  readonly webContents = new FakeWebContents()
  readonly loaded: string[] = []
  shown = false
  focused = 0
  destroyed = false
  maximized = false
  minimized = false
  /** Every value given to setProgressBar, in order. */
  readonly progress: number[] = []
  /** Every colour given to setBackgroundColor, in order. */
  readonly backgrounds: string[] = []
  /** Whether the window is in front, as the user left it. */
  inFront = true
  private readonly closeListeners: Array<(event: PreventableEvent) => void> = []
  private readonly readyListeners: Array<() => void> = []

  constructor(readonly options: WindowOptions) {
    FakeWindow.created.push(this)
  }

  async loadURL(url: string): Promise<void> {
    this.loaded.push(url)
    for (const listener of this.readyListeners.splice(0)) listener()
  }
  on(_event: 'close', listener: (event: PreventableEvent) => void): this {
    this.closeListeners.push(listener)
    return this
  }
  once(_event: 'ready-to-show', listener: () => void): this {
    this.readyListeners.push(listener)
    return this
  }
  show(): void {
    this.shown = true
  }
  focus(): void {
    this.focused++
  }
  /** Like BrowserWindow.close: listeners may prevent it. */
  close(): void {
    if (this.destroyed) return
    const event = preventable()
    for (const listener of this.closeListeners) listener(event)
    if (!event.prevented) this.destroyed = true
  }
  restore(): void {
    this.minimized = false
  }
  maximize(): void {
    this.maximized = true
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isMaximized(): boolean {
    return this.maximized
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  getNormalBounds(): Bounds {
    return this.normalBounds ?? { x: this.options.x ?? 40, y: this.options.y ?? 30, width: this.options.width, height: this.options.height }
  }
  /** Where the user moved the window to (null: where it was created). */
  normalBounds: Bounds | null = null
  setProgressBar(progress: number): void {
    this.progress.push(progress)
  }
  isFocused(): boolean {
    return this.inFront && !this.destroyed
  }
  setBackgroundColor(color: string): void {
    this.backgrounds.push(color)
  }
}

type Handler = (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>
type ShellListener = (event: { readonly senderFrame: SenderFrame | null; readonly sender: unknown }, ...args: unknown[]) => void

export class FakeIpcMain implements IpcMainLike, IpcMainShellLike {
  readonly handlers = new Map<string, Handler>()
  readonly listeners = new Map<string, ShellListener>()

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  on(channel: string, listener: ShellListener): this {
    this.listeners.set(channel, listener)
    return this
  }
  /** What `ipcRenderer.invoke` from `frame` would get back. */
  async invoke(channel: string, frame: SenderFrame | null, input?: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return handler({ senderFrame: frame }, input)
  }
}

export class FakeProtocol implements ProtocolLike {
  readonly privileged: Array<{ scheme: string; privileges: Record<string, boolean> }> = []
  readonly handlers = new Map<string, (request: Request) => Promise<Response>>()
  /** Whether the app was ready when schemes were declared (Electron requires: not yet). */
  registeredBeforeReady: boolean | null = null

  constructor(private readonly isReady: () => boolean) {}

  registerSchemesAsPrivileged(
    schemes: Array<{ scheme: string; privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean } }>
  ): void {
    this.registeredBeforeReady = !this.isReady()
    this.privileged.push(...schemes)
  }
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    this.handlers.set(scheme, handler)
  }
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const handler = this.handlers.get(new URL(url).protocol.replace(/:$/, ''))
    if (!handler) throw new Error(`No protocol handler for ${url}`)
    return handler(new Request(url, init))
  }
}

export class FakeSession implements SessionLike {
  requestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null
  checkHandler: ((webContents: unknown, permission: string) => boolean) | null = null

  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void {
    this.requestHandler = handler
  }
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void {
    this.checkHandler = handler
  }
}

export interface FakeMenu {
  template: MenuItemTemplate[]
}

export class FakeMenuModule implements MenuLike<FakeMenu> {
  applicationMenu: FakeMenu | null = null
  buildFromTemplate(template: MenuItemTemplate[]): FakeMenu {
    return { template }
  }
  setApplicationMenu(menu: FakeMenu | null): void {
    this.applicationMenu = menu
  }
}

export class FakeDialog implements FileDialogLike<FakeWindow> {
  readonly asked: MessageBoxOptionsLike[] = []
  readonly errors: Array<{ title: string; content: string }> = []
  readonly saveDialogs: SaveDialogOptionsLike[] = []
  readonly openDialogs: OpenDialogOptionsLike[] = []
  /** The button the user will press next. */
  answer = 0
  /** The path the next save dialog answers; null: the user cancels. */
  savePath: string | null = null
  /** The file the next open dialog answers; null: the user cancels. */
  openPath: string | null = null

  async showSaveDialog(_window: FakeWindow, options: SaveDialogOptionsLike): Promise<{ canceled: boolean; filePath?: string }> {
    this.saveDialogs.push(options)
    return this.savePath === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: this.savePath }
  }
  showOpenDialog(window: FakeWindow, options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>
  showOpenDialog(options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>
  showOpenDialog(
    windowOrOptions: FakeWindow | OpenDialogOptionsLike,
    maybeOptions?: OpenDialogOptionsLike
  ): Promise<{ canceled: boolean; filePaths: string[] }> {
    const options = windowOrOptions instanceof FakeWindow ? maybeOptions : windowOrOptions
    if (options) this.openDialogs.push(options)
    return Promise.resolve(this.openPath === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [this.openPath] })
  }

  /** Message boxes asked with no window (at start-up, before there is one). */
  readonly askedWithoutWindow: MessageBoxOptionsLike[] = []
  /** The buttons pressed in turn in windowless message boxes; then `answer`. */
  readonly windowlessAnswers: number[] = []

  showMessageBox(window: FakeWindow, options: MessageBoxOptionsLike): Promise<{ response: number }>
  showMessageBox(options: MessageBoxOptionsLike): Promise<{ response: number }>
  showMessageBox(windowOrOptions: FakeWindow | MessageBoxOptionsLike, options?: MessageBoxOptionsLike): Promise<{ response: number }> {
    if (windowOrOptions instanceof FakeWindow) {
      if (options) this.asked.push(options)
      return Promise.resolve({ response: this.answer })
    }
    this.askedWithoutWindow.push(windowOrOptions)
    return Promise.resolve({ response: this.windowlessAnswers.shift() ?? this.answer })
  }
  showErrorBox(title: string, content: string): void {
    this.errors.push({ title, content })
  }
}

export class FakeApp implements AppLike {
  isPackaged = true
  lockGranted = true
  ready = false
  quitCalls = 0
  exitCodes: Array<number | undefined> = []
  readonly listeners = new Map<string, Array<(...args: never[]) => void>>()
  /** What addRecentDocument was given, in order; emptied by clearRecentDocuments. */
  recentDocuments: string[] = []

  constructor(public userData: string) {}

  requestSingleInstanceLock(): boolean {
    return this.lockGranted
  }
  async whenReady(): Promise<void> {
    this.ready = true
  }
  quit(): void {
    this.quitCalls++
  }
  exit(code?: number): void {
    this.exitCodes.push(code)
  }
  getPath(name: 'userData' | 'logs' | 'documents'): string {
    // Inside the data folder, as Electron puts the logs on Linux, so a test's temp folder holds it all.
    return name === 'userData' ? this.userData : join(this.userData, name)
  }
  getVersion(): string {
    return '1.2.3'
  }
  getName(): string {
    return 'Rolekeeper'
  }
  addRecentDocument(path: string): void {
    this.recentDocuments.push(path)
  }
  clearRecentDocuments(): void {
    this.recentDocuments = []
  }
  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener])
    return this
  }
  /** Emit `event` with the arguments Electron passes its listeners. */
  emit(event: string, ...args: unknown[]): void {
    // The listener's own signature is the one AppLike declares for this event.
    for (const listener of this.listeners.get(event) ?? []) (listener as (...given: unknown[]) => void)(...args)
  }
}

/** Reversible, recognisable "encryption", so a test can see the key file was protected. */
export class FakeSafeStorage implements SafeStorageLike {
  available = true
  backend = 'gnome_libsecret'
  isEncryptionAvailable(): boolean {
    return this.available
  }
  encryptString(plainText: string): Buffer {
    return Buffer.from(`sealed:${plainText}`)
  }
  decryptString(encrypted: Buffer): string {
    const text = encrypted.toString()
    if (!text.startsWith('sealed:')) throw new Error('not sealed by this machine')
    return text.slice('sealed:'.length)
  }
  getSelectedStorageBackend(): string {
    return this.backend
  }
}

export class FakeShell {
  readonly opened: string[] = []
  readonly shownInFolder: string[] = []
  async openPath(path: string): Promise<string> {
    this.opened.push(path)
    return ''
  }
  showItemInFolder(path: string): void {
    this.shownInFolder.push(path)
  }
}

export class FakeNativeTheme implements NativeThemeLike {
  themeSource: Theme = 'system'
  /** What the operating system itself uses. */
  systemDark = false
  private readonly listeners: Array<() => void> = []
  get shouldUseDarkColors(): boolean {
    return this.themeSource === 'system' ? this.systemDark : this.themeSource === 'dark'
  }
  on(_event: 'updated', listener: () => void): this {
    this.listeners.push(listener)
    return this
  }
  /** The operating system switched between light and dark. */
  systemChanged(dark: boolean): void {
    this.systemDark = dark
    for (const listener of this.listeners) listener()
  }
}

export class FakeNotification implements NotificationLike {
  static supported = true
  /** Every notification shown, in order. */
  static shown: FakeNotification[] = []
  private readonly clickListeners: Array<() => void> = []
  constructor(readonly options: { title: string; body: string }) {}
  static isSupported(): boolean {
    return FakeNotification.supported
  }
  show(): void {
    FakeNotification.shown.push(this)
  }
  on(_event: 'click', listener: () => void): this {
    this.clickListeners.push(listener)
    return this
  }
  click(): void {
    for (const listener of this.clickListeners) listener()
  }
}

export interface FakeDisplay {
  id: number
  workArea: Bounds
}

export interface FakeElectron extends ShellElectron<FakeWindow, FakeMenu> {
  app: FakeApp
  ipcMain: FakeIpcMain
  protocol: FakeProtocol
  session: { defaultSession: FakeSession }
  Menu: FakeMenuModule
  dialog: FakeDialog
  safeStorage: FakeSafeStorage
  shell: FakeShell
  nativeTheme: FakeNativeTheme
  Notification: typeof FakeNotification
  screen: { displays: FakeDisplay[]; getAllDisplays(): FakeDisplay[]; getPrimaryDisplay(): FakeDisplay }
}

/** The fakes made so far, newest last: a test reads what the mocked module recorded. */
export const fakes: FakeElectron[] = []

export function createFakeElectron(userData: string): FakeElectron {
  FakeWindow.created = []
  FakeNotification.shown = []
  FakeNotification.supported = true
  const app = new FakeApp(userData)
  const fake: FakeElectron = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain: new FakeIpcMain(),
    protocol: new FakeProtocol(() => app.ready),
    session: { defaultSession: new FakeSession() },
    Menu: new FakeMenuModule(),
    dialog: new FakeDialog(),
    safeStorage: new FakeSafeStorage(),
    shell: new FakeShell(),
    nativeTheme: new FakeNativeTheme(),
    Notification: FakeNotification,
    screen: {
      displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      getAllDisplays() {
        return this.displays
      },
      getPrimaryDisplay() {
        const [primary] = this.displays
        if (!primary) throw new Error('No display')
        return primary
      }
    }
  }
  fakes.push(fake)
  return fake
}

// The renderer side, for the preload.

export class FakeIpcRenderer {
  readonly invoked: Array<{ channel: string; input: unknown }> = []
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  async invoke(channel: string, input: unknown): Promise<unknown> {
    this.invoked.push({ channel, input })
    return { ok: true, value: channel }
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  readonly listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>()
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener])
    return this
  }
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((existing) => existing !== listener)
    )
    return this
  }
  /** What `webContents.send(channel, ...args)` from main delivers; the event carries a sender. */
  deliver(channel: string, ...args: unknown[]): void {
    const event = { sender: this, senderId: 0 }
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args)
  }
}

export class FakeContextBridge {
  readonly exposed = new Map<string, unknown>()
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api)
  }
}

/** The app's own top frame, and frames that are not it. */
export const appFrame: SenderFrame = { url: 'app://rolekeeper/index.html', parent: null }
export const foreignFrames: Record<string, SenderFrame | null> = {
  'a web page': { url: 'https://evil.example/', parent: null },
  'a file page': { url: 'file:///index.html', parent: null },
  'a look-alike host': { url: 'app://rolekeeper.evil/index.html', parent: null },
  'another app: host': { url: 'app://other/index.html', parent: null },
  'a frame inside the app': { url: 'app://rolekeeper/embedded.html', parent: { url: 'app://rolekeeper/index.html', parent: null } },
  'a frame that is gone': null
}
