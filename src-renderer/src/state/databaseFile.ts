import { create } from 'zustand'
import type { ApiError, BackupOutcome } from '../../../src-main/ipc/contract'
import { api } from '../api'

/** An Open database in progress: the check of the chosen file, as the desktop reports it. */
export interface OpeningDatabase {
  operationId: string
  /** Null until the desktop reports the check (the dialog is still open, or the browser host). */
  done: number | null
  total: number | null
  cancelling: boolean
}

interface DatabaseFileState {
  backingUp: boolean
  /** The last backup saved, shown with Show in folder in Settings. */
  backup: BackupOutcome | null
  /** The last failure of a backup or an open, shown in Settings; null when cancelled or fine. */
  problem: ApiError | null
  /** Back up through the save dialog. */
  backUp(): Promise<void>
  opening: OpeningDatabase | null
  /**
   * Open another database: the one chosen in the open dialog, or (`requested`) the one the
   * desktop was asked to open (Open Recent, the command line). On success the page starts again
   * on it; otherwise the error, or null when the admin cancelled.
   */
  open(requested?: boolean): Promise<ApiError | null>
  cancel(): void
}

/** Backups and Open database, wherever started (Settings, the menu, Open Recent); one at a time. */

export const useDatabaseFile = create<DatabaseFileState>()((set, get) => ({
  backingUp: false,
  backup: null,
  problem: null,
  backUp: async () => {
    if (get().backingUp || get().opening) return
    set({ backingUp: true, backup: null, problem: null })
    try {
      const result = await api.backupDatabase()
      if (result.ok) set({ backup: result.value })
      else if (result.error.code !== 'cancelled') set({ problem: result.error })
    } finally {
      set({ backingUp: false })
    }
  },
  opening: null,
  open: async (requested = false) => {
    if (get().opening || get().backingUp) return null
    set({ problem: null })
    const operationId = crypto.randomUUID()
    set({ opening: { operationId, done: null, total: null, cancelling: false } })
    const stop = window.rolekeeperShell?.onProgress?.((progress) => {
      if (progress.operationId !== operationId) return
      set((state) =>
        state.opening?.operationId === operationId ? { opening: { ...state.opening, done: progress.done, total: progress.total } } : state
      )
    })
    try {
      const result = await api.openDatabase({ operationId, requested })
      if (result.ok) {
        // Every screen shows data of the previous file: start again on the new one.
        window.location.reload()
        return null
      }
      if (result.error.code === 'cancelled') return null
      set({ problem: result.error })
      return result.error
    } finally {
      stop?.()
      set({ opening: null })
    }
  },
  cancel: () => {
    const { opening } = get()
    if (!opening || opening.cancelling) return
    set({ opening: { ...opening, cancelling: true } })
    void api.cancelOperation({ operationId: opening.operationId })
  }
}))
