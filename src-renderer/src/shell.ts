import type { AppInfo, RolekeeperShellApi } from '../../src-main/ipc/contract'
import { api } from './api'

let runtime: AppInfo['runtime'] | null = null

/** Ask once where the renderer runs: the desktop app's window or the browser host. */
export function loadRuntime(): void {
  void api.getAppInfo().then((result) => {
    if (result.ok) runtime = result.value.runtime
  })
}

/** The desktop window's own unsaved-changes guard; null in a browser, where beforeunload asks instead. */
export function desktopShell(): RolekeeperShellApi | null {
  return runtime !== 'host' && window.rolekeeperShell ? window.rolekeeperShell : null
}
