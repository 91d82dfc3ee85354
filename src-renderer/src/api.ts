import type { RolekeeperApi } from '../../src-main/ipc/contract'

/** The one way to the main process: the preload's (or the browser host's) typed object. */
export const api: RolekeeperApi = window.rolekeeper
