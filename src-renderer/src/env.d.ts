import type { RolekeeperApi, RolekeeperShellApi } from '../../src-main/ipc/contract'

declare global {
  interface Window {
    rolekeeper: RolekeeperApi
    /** Present inside the desktop app only (not in the browser host). */
    rolekeeperShell?: RolekeeperShellApi
  }
}

export {}
