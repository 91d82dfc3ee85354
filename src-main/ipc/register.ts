/**
 * Serves the handler map over Electron IPC: one `ipcMain.handle` per call, each message's sender
 * frame checked before its payload is even looked at. Typed structurally, so the tests pass a
 * recording fake and nothing here loads Electron.
 */
import { CALL_NAMES, channelOf } from './calls'
import type { ApiError, Result } from './contract'
import type { HandlerMap } from './handlers'

/** The part of `WebFrameMain` the sender check needs. */
export interface SenderFrame {
  readonly url: string
  /** Null for a window's top frame; an embedded frame is never trusted. */
  readonly parent: SenderFrame | null
}

/** The part of `IpcMainInvokeEvent` the registration needs. */
export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null
}

/** The part of `ipcMain` the registration needs. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void
}

export const REFUSED_ERROR: ApiError = {
  code: 'internal',
  message: 'This request did not come from Rolekeeper’s own window and was refused.'
}

export function registerIpc(ipcMain: IpcMainLike, handlers: HandlerMap, isTrustedSender: (frame: SenderFrame) => boolean): void {
  for (const name of CALL_NAMES) {
    const handler: (input: unknown) => Promise<Result<unknown>> = handlers[name]
    ipcMain.handle(channelOf(name), async (event, input) => {
      const frame = event.senderFrame
      if (!frame || !isTrustedSender(frame)) {
        console.warn(`[rolekeeper] refused ${name} from ${frame?.url ?? 'a closed frame'}`)
        return { ok: false, error: { ...REFUSED_ERROR } } satisfies Result<never>
      }
      return handler(input)
    })
  }
}

/** The app's own pages: `app://rolekeeper/…`, or the dev server's origin during development. */
export const APP_ORIGIN = 'app://rolekeeper'

export function trustedSender(devServerUrl?: string): (frame: SenderFrame) => boolean {
  const devOrigin = devServerUrl ? originOf(devServerUrl) : null
  return (frame) => {
    if (frame.parent !== null) return false
    if (frame.url.startsWith(`${APP_ORIGIN}/`)) return true
    return devOrigin !== null && devOrigin !== 'null' && originOf(frame.url) === devOrigin
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}
