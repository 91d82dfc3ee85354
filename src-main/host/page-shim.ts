/**
 * Runs in the page the browser host serves, before the app: `window.rolekeeper` over HTTP, the
 * same shape as the desktop's preload, built from the same call list. The host bundles this file
 * for the page when it starts; it is type-checked and linted with the renderer (DOM, no Node).
 */
import { CALL_NAMES, type RolekeeperShellApi } from '../ipc/calls'
import type { HostDownload, OperationProgress } from '../core/model'
import type { RolekeeperApi } from '../ipc/contract'
import { CALL_PREFIX, PROGRESS_PATH, SECRET_HEADER } from './protocol'

const STORAGE_KEY = 'rolekeeper-host-secret'

/** The per-run secret: from the address the host printed, then kept for reloads of this tab. */
function takeSecret(): string {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('secret')
  if (fromUrl) {
    window.sessionStorage.setItem(STORAGE_KEY, fromUrl)
    url.searchParams.delete('secret')
    // Keep the secret out of the address bar, history and any link copied from it.
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
  }
  return fromUrl || window.sessionStorage.getItem(STORAGE_KEY) || ''
}

const secret = takeSecret()

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } }

const failure = (message: string): Answer => ({ ok: false, error: { code: 'internal', message } })

function downloadOf(answer: unknown): HostDownload | undefined {
  if (typeof answer !== 'object' || answer === null || Reflect.get(answer, 'ok') !== true) return undefined
  const value: unknown = Reflect.get(answer, 'value')
  const download: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, 'download') : undefined
  if (typeof download !== 'object' || download === null) return undefined
  const url: unknown = Reflect.get(download, 'url')
  const fileName: unknown = Reflect.get(download, 'fileName')
  return typeof url === 'string' && typeof fileName === 'string' ? { url, fileName } : undefined
}

/** An export or backup the host wrote: fetched with the secret, then saved by the browser. */
async function saveDownload({ url, fileName }: HostDownload): Promise<boolean> {
  try {
    const response = await fetch(url, { headers: { [SECRET_HEADER]: secret }, credentials: 'omit', cache: 'no-store' })
    if (!response.ok) return false
    const href = URL.createObjectURL(await response.blob())
    const link = document.createElement('a')
    link.href = href
    link.download = fileName
    link.hidden = true
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(href), 60_000)
    return true
  } catch {
    return false
  }
}

const call =
  (name: string) =>
  async (input?: unknown): Promise<unknown> => {
    let response: Response
    try {
      response = await fetch(CALL_PREFIX + name, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SECRET_HEADER]: secret },
        body: JSON.stringify(input === undefined ? {} : input),
        credentials: 'omit',
        cache: 'no-store'
      })
    } catch {
      return failure('The Rolekeeper host cannot be reached. Is it still running?')
    }
    let answer: unknown
    try {
      answer = await response.json()
    } catch {
      return failure(`The Rolekeeper host answered ${response.status} without a result.`)
    }
    const download = downloadOf(answer)
    if (download) return (await saveDownload(download)) ? answer : failure('The file was written but could not be downloaded.')
    return answer
  }

// One function per contract call, as the preload makes them; the host validates every input.
const api = Object.freeze(Object.fromEntries(CALL_NAMES.map((name) => [name, call(name)]))) as RolekeeperApi
/** How often the page asks for progress while something listens: often enough for a moving bar. */
const PROGRESS_POLL_MS = 250
const progressListeners = new Set<(progress: OperationProgress) => void>()
let polling = false

function isProgress(value: unknown): value is OperationProgress {
  if (typeof value !== 'object' || value === null) return false
  const [operationId, done, total]: unknown[] = ['operationId', 'done', 'total'].map((key) => Reflect.get(value, key))
  return typeof operationId === 'string' && typeof done === 'number' && typeof total === 'number'
}

/** The desktop pushes progress events; the host is asked for them, only while someone listens. */
async function pollProgress(): Promise<void> {
  if (polling) return
  polling = true
  try {
    while (progressListeners.size > 0) {
      try {
        const response = await fetch(PROGRESS_PATH, { headers: { [SECRET_HEADER]: secret }, credentials: 'omit', cache: 'no-store' })
        const running: unknown = response.ok ? await response.json() : []
        for (const progress of Array.isArray(running) ? running.filter(isProgress) : []) {
          for (const listener of progressListeners) listener(progress)
        }
      } catch {
        // The host is gone or busy: the page's own call will say so.
      }
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS))
    }
  } finally {
    polling = false
  }
}

// The host has no window to tell about unsaved edits and no native menu.
const shell: RolekeeperShellApi = Object.freeze({
  setUnsavedChanges: () => undefined,
  onProgress(listener: (progress: OperationProgress) => void) {
    progressListeners.add(listener)
    void pollProgress()
    return () => {
      progressListeners.delete(listener)
    }
  }
})

Object.defineProperty(window, 'rolekeeper', { value: api, enumerable: true })
Object.defineProperty(window, 'rolekeeperShell', { value: shell, enumerable: true })
