import type { RolekeeperApi } from '../../src-main/ipc/contract'

declare global {
  interface Window {
    rolekeeper: RolekeeperApi
  }
}

export {}
