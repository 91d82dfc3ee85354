import type { ActivityCollection, ActivityEntry, ApiError } from '../../../src-main/ipc/contract'
import { create } from 'zustand'
import { api } from '../api'

export interface ActivityFilter {
  collection: ActivityCollection | null
  action: string | null
  recordId: string | null
}

interface ActivityState {
  filter: ActivityFilter
  rows: ActivityEntry[]
  nextCursor: string | null
  loading: boolean
  loaded: boolean
  error: ApiError | null
  expanded: ReadonlySet<number>
  setFilter: (change: Partial<ActivityFilter>) => void
  reload: () => Promise<void>
  loadMore: () => Promise<void>
  toggle: (id: number) => void
}

const PAGE_SIZE = 100

const inputOf = (filter: ActivityFilter) => ({
  ...(filter.collection ? { collection: filter.collection } : {}),
  ...(filter.action ? { action: filter.action } : {}),
  ...(filter.recordId ? { recordId: filter.recordId } : {})
})

let generation = 0

/** The activity log, newest first, paged by cursor. */
export const useActivity = create<ActivityState>()((set, get) => ({
  filter: { collection: null, action: null, recordId: null },
  rows: [],
  nextCursor: null,
  loading: false,
  loaded: false,
  error: null,
  expanded: new Set(),
  setFilter: (change) => {
    set((state) => ({ filter: { ...state.filter, ...change } }))
    void get().reload()
  },
  reload: async () => {
    const ticket = ++generation
    set({ loading: true, error: null, expanded: new Set() })
    const result = await api.listActivity({ ...inputOf(get().filter), limit: PAGE_SIZE })
    if (ticket !== generation) return
    if (!result.ok) set({ loading: false, loaded: true, error: result.error, rows: [], nextCursor: null })
    else set({ loading: false, loaded: true, rows: result.value.rows, nextCursor: result.value.nextCursor })
  },
  loadMore: async () => {
    const { nextCursor, loading, filter } = get()
    if (!nextCursor || loading) return
    const ticket = generation
    set({ loading: true })
    const result = await api.listActivity({ ...inputOf(filter), after: nextCursor, limit: PAGE_SIZE })
    if (ticket !== generation) return
    if (!result.ok) set({ loading: false, error: result.error })
    else set((state) => ({ loading: false, rows: [...state.rows, ...result.value.rows], nextCursor: result.value.nextCursor }))
  },
  toggle: (id) =>
    set((state) => {
      const expanded = new Set(state.expanded)
      if (expanded.has(id)) expanded.delete(id)
      else expanded.add(id)
      return { expanded }
    })
}))
