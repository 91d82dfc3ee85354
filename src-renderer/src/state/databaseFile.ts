import { create } from 'zustand'
import type { ApiError, BackupOutcome } from '../../../src-main/ipc/contract'
import { api } from '../api'

/** A backup or an Open database in progress, as the main process (or the host) reports it. */
export interface DatabaseWork {
  operationId: string
  /** Null until the first report (the dialog is still open, or nothing reported yet). */
  done: number | null
  total: number | null
  cancelling: boolean
}

interface DatabaseFileState {
  /** The backup running now: its pages copied of all, then the check of the copy. */
  backingUp: DatabaseWork | null
  /** The last backup saved, shown with Show in folder in Settings. */
  backup: BackupOutcome | null
  /** The last failure of a backup or an open, shown in Settings; null when cancelled or fine. */
  problem: ApiError | null
  /** Back up through the save dialog, with progress and Cancel. */
  backUp(): Promise<void>
  opening: DatabaseWork | null
  /**
   * Open another database: the one chosen in the open dialog, or (`requested`) the one the
   * desktop was asked to open (Open Recent, the command line). On success the page starts again
   * on it; otherwise the error, or null when the admin cancelled.
   */
  open(requested?: boolean): Promise<ApiError | null>
  /** Cancel the backup or the open that is running. */
  cancel(): void
}

type WorkField = 'backingUp' | 'opening'

/**
 * Backups and Open database, wherever started (Settings, the menu, Open Recent); one at a time.
 * A store rather than the Settings card's state, so a backup carries on, and can still be
 * cancelled, while the admin looks elsewhere.
 */
export const useDatabaseFile = create<DatabaseFileState>()((set, get) => {
  const busy = (): boolean => get().backingUp !== null || get().opening !== null
  /** Start `field`'s work under a fresh operation id, following its reported progress until `run` ends. */
  const track = async <T>(field: WorkField, run: (operationId: string) => Promise<T>): Promise<T> => {
    const operationId = crypto.randomUUID()
    set({ [field]: { operationId, done: null, total: null, cancelling: false } })
    const stop = window.rolekeeperShell?.onProgress?.((progress) => {
      const work = get()[field]
      if (work?.operationId === progress.operationId) set({ [field]: { ...work, done: progress.done, total: progress.total } })
    })
    try {
      return await run(operationId)
    } finally {
      stop?.()
      set({ [field]: null })
    }
  }
  return {
    backingUp: null,
    backup: null,
    problem: null,
    backUp: async () => {
      if (busy()) return
      set({ backup: null, problem: null })
      const result = await track('backingUp', (operationId) => api.backupDatabase({ operationId }))
      if (result.ok) set({ backup: result.value })
      else if (result.error.code !== 'cancelled') set({ problem: result.error })
    },
    opening: null,
    open: async (requested = false) => {
      if (busy()) return null
      set({ problem: null })
      const result = await track('opening', (operationId) => api.openDatabase({ operationId, requested }))
      if (result.ok) {
        // Every screen shows data of the previous file: start again on the new one.
        window.location.reload()
        return null
      }
      if (result.error.code === 'cancelled') return null
      set({ problem: result.error })
      return result.error
    },
    cancel: () => {
      for (const field of ['backingUp', 'opening'] as const) {
        const work = get()[field]
        if (!work || work.cancelling) continue
        set({ [field]: { ...work, cancelling: true } })
        void api.cancelOperation({ operationId: work.operationId })
      }
    }
  }
})
