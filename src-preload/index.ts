/**
 * Exposes the contract to the renderer as `window.rolekeeper`: one named function per call that
 * sends its input on the call's channel. `ipcRenderer` itself never crosses the bridge, nor does
 * any IPC event: listeners get only checked plain values.
 * Only the light call list is imported, so the sandboxed bundle carries no schemas.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { CALL_NAMES, MENU_COMMANDS, SHELL_CHANNELS, channelOf, type MenuCommand, type RolekeeperShellApi } from '../src-main/ipc/calls'
import type { RolekeeperApi } from '../src-main/ipc/contract'
import type { OperationProgress } from '../src-main/core/model'

const api = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (input?: unknown): Promise<unknown> => ipcRenderer.invoke(channelOf(name), input)])
  // One function per contract call; main validates every input and answers with a Result.
) as RolekeeperApi

/** Listen on one of the shell's channels, passing on only payloads that `accept` recognises. */
function subscribe<T>(channel: string, accept: (payload: unknown) => payload is T, listener: (value: T) => void): () => void {
  if (typeof listener !== 'function') return () => undefined
  const onMessage = (_event: IpcRendererEvent, payload: unknown): void => {
    if (accept(payload)) listener(payload)
  }
  ipcRenderer.on(channel, onMessage)
  return () => {
    ipcRenderer.removeListener(channel, onMessage)
  }
}

const isMenuCommand = (payload: unknown): payload is MenuCommand => MENU_COMMANDS.some((command) => command === payload)

function isOperationProgress(payload: unknown): payload is OperationProgress {
  if (typeof payload !== 'object' || payload === null) return false
  const [operationId, done, total]: unknown[] = ['operationId', 'done', 'total'].map((key) => Reflect.get(payload, key))
  return typeof operationId === 'string' && Number.isFinite(done) && Number.isFinite(total)
}

const shellApi: RolekeeperShellApi = {
  setUnsavedChanges: (unsaved) => ipcRenderer.send(SHELL_CHANNELS.unsavedChanges, unsaved === true),
  onProgress: (listener) =>
    subscribe(SHELL_CHANNELS.progress, isOperationProgress, (progress) =>
      listener({ operationId: progress.operationId, done: progress.done, total: progress.total })
    ),
  onMenuCommand: (listener) => subscribe(SHELL_CHANNELS.menuCommand, isMenuCommand, listener)
}

contextBridge.exposeInMainWorld('rolekeeper', api)
contextBridge.exposeInMainWorld('rolekeeperShell', shellApi)
