import { create } from 'zustand'
import type { ApiError, RolesOverview } from '../../../src-main/ipc/contract'
import { api } from '../api'

interface RolesState {
  overview: RolesOverview | null
  loading: boolean
  error: ApiError | null
  /**
   * Fetch the roles list with member counts; called on every visit so the counts are current.
   * The only caller of `listRoles`: pages, drawers and dialogs select the roles from here.
   */
  load: () => Promise<RolesOverview | null>
}

export const useRoles = create<RolesState>()((set) => ({
  overview: null,
  loading: false,
  error: null,
  load: async () => {
    set({ loading: true })
    const result = await api.listRoles({})
    if (result.ok) set({ overview: result.value, loading: false, error: null })
    else set({ loading: false, error: result.error })
    return result.ok ? result.value : null
  }
}))
