/**
 * Exposes the contract to the renderer as `window.rolekeeper`: one named function per call that
 * sends its input on the call's channel. `ipcRenderer` itself never crosses the bridge.
 * Only the light call list is imported, so the sandboxed bundle carries no schemas.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { CALL_NAMES, SHELL_CHANNELS, channelOf, type RolekeeperShellApi } from '../src-main/ipc/calls'
import type { RolekeeperApi } from '../src-main/ipc/contract'

const api = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (input?: unknown): Promise<unknown> => ipcRenderer.invoke(channelOf(name), input)])
  // One function per contract call; main validates every input and answers with a Result.
) as RolekeeperApi

const shellApi: RolekeeperShellApi = {
  setUnsavedChanges: (unsaved) => ipcRenderer.send(SHELL_CHANNELS.unsavedChanges, unsaved === true)
}

contextBridge.exposeInMainWorld('rolekeeper', api)
contextBridge.exposeInMainWorld('rolekeeperShell', shellApi)
