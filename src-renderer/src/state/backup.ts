import { create } from 'zustand'
import { api } from '../api'
import { describeError } from '../errors'
import { notify } from './notifications'

/**
 * The database backup, started from Settings or the desktop menu: one at a time, its progress
 * as the main process reports it, and Cancel. It lives in a store rather than in the Settings
 * section so that it carries on, and can still be cancelled, when the admin looks elsewhere.
 */
interface BackupState {
  running: { operationId: string; done: number | null; total: number | null; cancelling: boolean } | null
  /** The last failure, shown in Settings; a cancel is none. */
  problem: string | null
  start: () => Promise<void>
  cancel: () => void
}

export const useBackup = create<BackupState>()((set, get) => ({
  running: null,
  problem: null,
  start: async () => {
    if (get().running) return
    const operationId = crypto.randomUUID()
    set({ running: { operationId, done: null, total: null, cancelling: false }, problem: null })
    const stop = window.rolekeeperShell?.onProgress?.((progress) => {
      const running = get().running
      if (running?.operationId === progress.operationId) set({ running: { ...running, done: progress.done, total: progress.total } })
    })
    try {
      const result = await api.backupDatabase({ operationId })
      if (result.ok) notify({ tone: 'success', message: `Backed up the database to ${result.value.path}.` })
      else if (result.error.code !== 'cancelled') set({ problem: describeError(result.error) })
    } finally {
      stop?.()
      set({ running: null })
    }
  },
  cancel: () => {
    const running = get().running
    if (!running) return
    set({ running: { ...running, cancelling: true } })
    void api.cancelOperation({ operationId: running.operationId })
  }
}))
