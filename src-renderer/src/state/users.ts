import { create } from 'zustand'
import type { RoleSummary, User, UserCounts, UserFilter, UserSelection, UserSortField, UserStatus } from '../../../src-main/ipc/contract'
import { USER_STATUSES } from '../../../src-main/core/model'
import { api } from '../api'
import { useRoles } from './roles'
import { latestOnly } from './latest'
import { NO_USERS, type PagedUsers, withPage } from './userPages'

/** The directory's filter chips: `all`, `status:<status>`, `noRole`, `role:<id>`. */
export type DirectoryFilter = 'all' | 'noRole' | `status:${UserStatus}` | `role:${string}`

export interface DirectorySort {
  field: UserSortField
  direction: 'asc' | 'desc'
}

export type DirectoryDialog = 'invite' | 'import' | 'export'

/** Chosen rows by id, or every user matching the current filter (never loaded into the renderer). */
export type DirectorySelection = { kind: 'ids'; ids: ReadonlySet<string> } | { kind: 'filter' }

interface DirectoryState extends PagedUsers {
  filter: DirectoryFilter
  search: string
  sort: DirectorySort
  counts: UserCounts | null
  roles: RoleSummary[]
  selection: DirectorySelection
  /** The row index a shift-click extends from. */
  anchor: number | null
  /** The directory's own dialog that is open (also opened from the desktop menu). */
  dialog: DirectoryDialog | null
  openDialog: (dialog: DirectoryDialog | null) => void

  setFilter: (filter: DirectoryFilter) => void
  setSearch: (search: string) => void
  setSort: (field: UserSortField) => void
  /** Reloads the first page, the counts and the roles; the selection is cleared. */
  refresh: () => Promise<void>
  loadMore: () => Promise<void>
  /** The filter counts and role list only, after a change to one user. */
  reloadCounts: () => Promise<void>
  /** Puts a changed user in place, without reloading the list. */
  replaceUser: (user: User) => void
  toggleUser: (index: number, options: { range: boolean }) => void
  toggleLoaded: () => void
  selectAllMatching: () => void
  clearSelection: () => void
}

const PAGE_SIZE = 200
const NONE: DirectorySelection = { kind: 'ids', ids: new Set() }

/** The filter the store understands, for the current chip and search. */
export function filterSpecOf(filter: DirectoryFilter, search: string): UserFilter {
  const spec: UserFilter = {}
  const query = search.trim()
  if (query) spec.search = query
  if (filter === 'noRole') spec.roleId = null
  else if (filter.startsWith('status:')) {
    const status = USER_STATUSES.find((candidate) => `status:${candidate}` === filter)
    if (status) spec.status = [status]
  } else if (filter.startsWith('role:')) spec.roleId = filter.slice('role:'.length)
  return spec
}

/** What a bulk action or an export is about; null when nothing is selected. */
export function selectionSpecOf(state: Pick<DirectoryState, 'selection' | 'filter' | 'search'>): UserSelection | null {
  if (state.selection.kind === 'filter') return { filter: filterSpecOf(state.filter, state.search) }
  return state.selection.ids.size > 0 ? { ids: [...state.selection.ids] } : null
}

export function selectedCountOf(state: Pick<DirectoryState, 'selection' | 'total'>): number {
  return state.selection.kind === 'filter' ? state.total : state.selection.ids.size
}

// Bumped by every first page, so a next page asked for an older filter, search or sort is dropped.
let generation = 0

export const useDirectory = create<DirectoryState>()((set, get) => {
  const loadFirstPage = latestOnly(
    async () => {
      generation++
      const { filter, search, sort } = get()
      return { search, result: await api.listUsers({ filter: filterSpecOf(filter, search), sort, limit: PAGE_SIZE }) }
    },
    ({ search, result }) => {
      if (!result.ok) {
        set({ loading: false, loaded: true, error: result.error, answers: search, rows: [], nextCursor: null, total: 0 })
        return
      }
      set(withPage([], result.value, search))
    }
  )

  const loadCounts = async (): Promise<void> => {
    const [counts, overview] = await Promise.all([api.countUsers(), useRoles.getState().load()])
    if (counts.ok) set({ counts: counts.value })
    if (overview) {
      set({ roles: overview.roles })
      // A role filter whose role was deleted meanwhile falls back to everyone.
      const { filter } = get()
      if (filter.startsWith('role:') && !overview.roles.some((role) => `role:${role.id}` === filter)) {
        set({ filter: 'all', selection: NONE, anchor: null })
        await loadFirstPage()
      }
    }
  }

  const reset = (change: Partial<DirectoryState>): void => {
    set({ ...change, selection: NONE, anchor: null, loading: true, error: null })
    void loadFirstPage()
  }

  return {
    filter: 'all',
    search: '',
    sort: { field: 'name', direction: 'asc' },
    ...NO_USERS,
    counts: null,
    roles: [],
    selection: NONE,
    anchor: null,
    dialog: null,
    openDialog: (dialog) => set({ dialog }),

    setFilter: (filter) => {
      if (filter !== get().filter) reset({ filter })
    },
    setSearch: (search) => {
      if (search !== get().search) reset({ search })
    },
    setSort: (field) => {
      const { sort } = get()
      const direction = sort.field === field && sort.direction === 'asc' ? 'desc' : 'asc'
      reset({ sort: { field, direction } })
    },
    refresh: async () => {
      set({ selection: NONE, anchor: null, loading: true, error: null })
      await Promise.all([loadFirstPage(), loadCounts()])
    },
    loadMore: async () => {
      const { nextCursor, loading, filter, search, sort } = get()
      if (!nextCursor || loading) return
      const ticket = generation
      set({ loading: true })
      const result = await api.listUsers({ filter: filterSpecOf(filter, search), sort, after: nextCursor, limit: PAGE_SIZE })
      if (ticket !== generation) return
      if (!result.ok) {
        set({ loading: false, error: result.error })
        return
      }
      set((state) => ({ rows: [...state.rows, ...result.value.rows], nextCursor: result.value.nextCursor, loading: false, error: null }))
    },
    reloadCounts: loadCounts,
    replaceUser: (user) => {
      set((state) => ({ rows: state.rows.map((row) => (row.id === user.id ? user : row)) }))
    },
    toggleUser: (index, { range }) => {
      const { rows, selection, anchor } = get()
      const user = rows[index]
      if (!user) return
      // Leaving "all matching" keeps what is on screen, minus the row just cleared.
      const ids = new Set(selection.kind === 'filter' ? rows.map((row) => row.id) : selection.ids)
      const selecting = !ids.has(user.id)
      if (range && anchor !== null) {
        const [from, to] = anchor < index ? [anchor, index] : [index, anchor]
        for (const row of rows.slice(from, to + 1)) {
          if (selecting) ids.add(row.id)
          else ids.delete(row.id)
        }
      } else if (selecting) ids.add(user.id)
      else ids.delete(user.id)
      set({ selection: { kind: 'ids', ids }, anchor: index })
    },
    toggleLoaded: () => {
      const { rows, selection } = get()
      const everyLoaded = selection.kind === 'filter' || (rows.length > 0 && rows.every((row) => selection.ids.has(row.id)))
      set({ selection: everyLoaded ? NONE : { kind: 'ids', ids: new Set(rows.map((row) => row.id)) }, anchor: null })
    },
    selectAllMatching: () => set({ selection: { kind: 'filter' } }),
    clearSelection: () => set({ selection: NONE, anchor: null })
  }
})
