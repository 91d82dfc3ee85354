/**
 * The main window: its security settings, the navigation it refuses, and the question asked
 * before closing over unsaved edits. Electron's pieces come in as parameters (typed by the small
 * interfaces below), so the tests pass recording fakes.
 */

export interface PreventableEvent {
  preventDefault(): void
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  /** A one-way message to the page (menu commands, export progress). */
  send(channel: string, ...args: unknown[]): void
  reload(): void
}

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export interface WindowLike {
  readonly webContents: WebContentsLike
  loadURL(url: string): Promise<void>
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown
  once(event: 'ready-to-show', listener: () => void): unknown
  show(): void
  focus(): void
  close(): void
  restore(): void
  maximize(): void
  isMinimized(): boolean
  isMaximized(): boolean
  isDestroyed(): boolean
  getNormalBounds(): Bounds
  /** The taskbar / dock progress: 0–1, or -1 to remove it. */
  setProgressBar(progress: number): void
  isFocused(): boolean
  /** Painted where the page has not drawn yet, and behind it while resizing. */
  setBackgroundColor(color: string): void
}

export interface WindowOptions {
  width: number
  height: number
  x?: number
  y?: number
  minWidth: number
  minHeight: number
  show: boolean
  title: string
  backgroundColor: string
  webPreferences: {
    preload: string
    contextIsolation: true
    sandbox: true
    nodeIntegration: false
    nodeIntegrationInWorker: false
    nodeIntegrationInSubFrames: false
    webSecurity: true
    allowRunningInsecureContent: false
    webviewTag: false
    spellcheck: boolean
  }
}

export const DEFAULT_SIZE = { width: 1280, height: 820 }

/** The page's own background (`--bg` in base.css), so no white shows before or around it. */
export const WINDOW_BACKGROUND = { light: '#f3f4f7', dark: '#111318' } as const

export function windowOptions(preload: string, placement?: WindowPlacement | null, dark = false): WindowOptions {
  return {
    ...DEFAULT_SIZE,
    ...(placement ? placement.bounds : {}),
    minWidth: 900,
    minHeight: 600,
    // Shown on ready-to-show, so the first paint is the page and not a blank frame.
    show: false,
    title: 'Rolekeeper',
    backgroundColor: dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true
    }
  }
}

/** The page never leaves the app: no navigation, no redirects, no new windows, no webviews. */
export function refuseNavigation(contents: WebContentsLike): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    console.warn(`[rolekeeper] navigation to ${url} refused`)
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

export interface MessageBoxOptionsLike {
  type: 'warning' | 'info' | 'error'
  buttons: string[]
  defaultId: number
  cancelId: number
  title: string
  message: string
  detail: string
  noLink: boolean
}

export interface DialogLike<W> {
  showMessageBox(window: W, options: MessageBoxOptionsLike): Promise<{ response: number }>
}

export const DISCARD_CHANGES = 'Discard changes'
export const KEEP_EDITING = 'Keep editing'

export interface UnsavedChanges {
  /** What the renderer last reported. */
  set(unsaved: boolean): void
  get(): boolean
}

/**
 * Closing the window while the renderer reports unsaved edits asks first. Quitting the app
 * closes its windows, so the same question covers Quit.
 */
export function confirmCloseWithUnsavedChanges<W extends WindowLike>(
  window: W,
  dialog: DialogLike<W>,
  onKeepEditing: () => void = () => undefined
): UnsavedChanges {
  let unsaved = false
  let asking = false
  window.on('close', (event) => {
    if (!unsaved) return
    event.preventDefault()
    if (asking) return
    asking = true
    dialog
      .showMessageBox(window, {
        type: 'warning',
        buttons: [DISCARD_CHANGES, KEEP_EDITING],
        defaultId: 1,
        cancelId: 1,
        title: 'Unsaved changes',
        message: 'You have changes that are not saved.',
        detail: 'Closing Rolekeeper now discards them.',
        noLink: true
      })
      .then(({ response }) => {
        asking = false
        if (response !== 0) {
          onKeepEditing()
          return
        }
        if (window.isDestroyed()) return
        unsaved = false
        window.close()
      })
      .catch((error: unknown) => {
        asking = false
        console.error('[rolekeeper] could not ask about unsaved changes:', error)
      })
  })
  return {
    set: (value) => {
      unsaved = value
    },
    get: () => unsaved
  }
}

/** Bring the window to the front (a second launch of the app lands here). */
export function focusWindow(window: WindowLike): void {
  if (window.isDestroyed()) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

// ---------------------------------------------------------------------------------------------
// Where the window was

export interface WindowPlacement {
  bounds: Bounds
  maximized: boolean
}

/** How much of a window must be on a display to be reachable: enough to grab its title bar. */
const REACHABLE = 100

/**
 * A saved placement, if it is well-formed, put back on screen: a window that no display shows
 * enough of any more (a monitor unplugged, the resolution lowered) is centred on the first
 * display, and one larger than that display is shrunk to fit it.
 */
export function restorablePlacement(saved: unknown, workAreas: readonly Bounds[]): WindowPlacement | null {
  if (typeof saved !== 'object' || saved === null) return null
  const bounds: unknown = Reflect.get(saved, 'bounds')
  const maximized: unknown = Reflect.get(saved, 'maximized')
  if (typeof bounds !== 'object' || bounds === null) return null
  const [x, y, width, height] = (['x', 'y', 'width', 'height'] as const).map((key) => Reflect.get(bounds, key))
  if (![x, y, width, height].every((value) => typeof value === 'number' && Number.isInteger(value))) return null
  const rect = { x: Number(x), y: Number(y), width: Number(width), height: Number(height) }
  if (rect.width < 400 || rect.height < 300 || rect.width > 20_000 || rect.height > 20_000) return null
  return { bounds: onScreen(rect, workAreas), maximized: maximized === true }
}

function onScreen(rect: Bounds, workAreas: readonly Bounds[]): Bounds {
  const [first] = workAreas
  if (!first) return rect
  // Enough of it on one display, title bar included: a window whose top edge is above a display
  // cannot be dragged back. (Windows' invisible frame puts a snapped window a few pixels outside.)
  const reachable = workAreas.some((area) => {
    const overlapX = Math.min(rect.x + rect.width, area.x + area.width) - Math.max(rect.x, area.x)
    const overlapY = Math.min(rect.y + rect.height, area.y + area.height) - Math.max(rect.y, area.y)
    const titleBarIn = rect.y >= area.y - 16 && rect.y <= area.y + area.height - REACHABLE
    return overlapX >= REACHABLE && overlapY >= REACHABLE && titleBarIn
  })
  if (reachable) return rect
  const width = Math.min(rect.width, first.width)
  const height = Math.min(rect.height, first.height)
  return {
    x: first.x + Math.round((first.width - width) / 2),
    y: first.y + Math.round((first.height - height) / 2),
    width,
    height
  }
}

export function placementOf(window: WindowLike): WindowPlacement {
  return { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
}
