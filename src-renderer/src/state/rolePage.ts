import { create } from 'zustand'
import type { ApiError, CallInput, RoleDetail, User } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { notify } from './notifications'
import { latestOnly } from './latest'
import { NO_USERS, type PagedUsers, withPage } from './userPages'

/** A user the admin filled in on the Create user drawer, staged until Save. */
export type UserDraft = NonNullable<CallInput<'saveRoleChanges'>['create']>[number]
export type RolePatch = NonNullable<CallInput<'saveRoleChanges'>['role']>
export type RoleField = keyof RolePatch

/** Everything the admin changed on the role page and has not saved: sent as one change set. */
export interface StagedChanges {
  role: RolePatch
  create: UserDraft[]
  add: User[]
  remove: string[]
}

/** A failed save, attached to what caused it so it survives edits elsewhere on the page. */
export interface SaveFailure {
  error: ApiError
  message: string
  /** By role field path without `role.`: `name`, `ipAccess.2`. */
  roleFields: Record<string, string>
  /** By member row key (see `memberKey`, `draftKey`). */
  rows: Record<string, string>
  lastAdmin: boolean
}

export interface MemberList extends PagedUsers {
  search: string
}

const PAGE_SIZE = 200
const EMPTY_STAGED: StagedChanges = { role: {}, create: [], add: [], remove: [] }
const EMPTY_MEMBERS: MemberList = { ...NO_USERS, search: '' }

export const draftKey = (draft: UserDraft): string => `create:${draft.email.trim().toLowerCase()}`
export const memberKey = (userId: string): string => `user:${userId}`

export function isDirty(staged: StagedChanges): boolean {
  return Object.keys(staged.role).length > 0 || staged.create.length > 0 || staged.add.length > 0 || staged.remove.length > 0
}

/** Split `\n`-separated entries as they are sent: trimmed, blank lines left out. */
export function ipEntriesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i])
  return a === b
}

function storedValue(role: RoleDetail, field: RoleField): unknown {
  return role[field]
}

function failureOf(error: ApiError, staged: StagedChanges): SaveFailure {
  const roleFields: Record<string, string> = {}
  const rows: Record<string, string> = {}
  const unplaced: string[] = []
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    const [list, indexText, ...rest] = path.split('.')
    const index = Number(indexText)
    if (list === 'role' && indexText !== undefined) {
      roleFields[[indexText, ...rest].join('.')] = message
      continue
    }
    const draft = list === 'create' ? staged.create[index] : undefined
    const added = list === 'add' ? staged.add[index] : undefined
    const removedId = list === 'remove' ? staged.remove[index] : undefined
    const key = draft ? draftKey(draft) : added ? memberKey(added.id) : removedId ? memberKey(removedId) : null
    if (key) {
      const field = rest.join('.')
      const text = field && list === 'create' ? `${labelOfUserField(field)}: ${message}` : message
      rows[key] = rows[key] ? `${rows[key]} ${text}` : text
    } else {
      unplaced.push(message)
    }
  }
  const placed = Object.keys(roleFields).length + Object.keys(rows).length
  const message =
    unplaced.length > 0
      ? `Nothing was saved. ${unplaced.join(' ')}`
      : placed > 0 && error.code !== 'last_admin'
        ? 'Nothing was saved: fix what is marked on the page, then save again.'
        : `Nothing was saved. ${describeError(error)}`
  return { error, message, roleFields, rows, lastAdmin: error.code === 'last_admin' }
}

/**
 * Where a failed save is reported: beside the rows or fields it names (then a toast says that
 * nothing was saved), or in a banner on the page (the last administrator; anything unplaced).
 */
export function failureHasBanner(failure: SaveFailure): boolean {
  return failure.lastAdmin || (Object.keys(failure.rows).length === 0 && Object.keys(failure.roleFields).length === 0)
}

function labelOfUserField(field: string): string {
  const labels: Record<string, string> = {
    email: 'Email',
    firstName: 'First name',
    lastName: 'Last name',
    password: 'Password',
    status: 'Status',
    title: 'Title',
    location: 'Location',
    description: 'Description',
    tags: 'Tags'
  }
  return labels[field.split('.')[0] ?? ''] ?? field
}

interface RolePageState {
  roleId: string | null
  role: RoleDetail | null
  loadError: ApiError | null
  staged: StagedChanges
  /** The IP allow-list as typed, blank lines and all; `staged.role.ipAccess` is what it sends. */
  ipText: string
  saving: boolean
  failure: SaveFailure | null
  members: MemberList

  open: (roleId: string) => Promise<void>
  close: () => void
  editRole: <F extends RoleField>(field: F, value: RolePatch[F]) => void
  editIpText: (text: string) => void
  stageCreatedUser: (draft: UserDraft) => void
  unstageCreatedUser: (email: string) => void
  stageAddedUsers: (users: User[]) => void
  unstageAddedUser: (userId: string) => void
  stageRemoval: (userId: string) => void
  undoRemoval: (userId: string) => void
  discard: () => void
  /** Send the staged changes as one change set; true when saved. */
  save: () => Promise<boolean>
  searchMembers: (search: string) => void
  loadMoreMembers: () => Promise<void>
  reloadMembers: () => Promise<void>
  reloadRole: () => Promise<void>
}

function withoutRowError(failure: SaveFailure | null, key: string): SaveFailure | null {
  if (!failure || !(key in failure.rows)) return failure
  const rows = { ...failure.rows }
  delete rows[key]
  return { ...failure, rows }
}

function withoutRoleError(failure: SaveFailure | null, field: string): SaveFailure | null {
  if (!failure) return failure
  const roleFields = Object.fromEntries(
    Object.entries(failure.roleFields).filter(([path]) => path !== field && !path.startsWith(`${field}.`))
  )
  return { ...failure, roleFields }
}

/** Bumped on every first page of members, so a next page asked for an older query is dropped. */
let memberQuery = 0

export const useRolePage = create<RolePageState>()((set, get) => {
  const firstMembers = latestOnly(
    async () => {
      memberQuery++
      const { roleId, members } = get()
      if (!roleId) return null
      const { search } = members
      const result = await api.listUsers({
        filter: { roleId, ...(search ? { search } : {}) },
        sort: { field: 'name', direction: 'asc' },
        limit: PAGE_SIZE
      })
      return { roleId, search, result }
    },
    (answer) => {
      if (!answer || get().roleId !== answer.roleId) return
      const { search, result } = answer
      const current = get().members
      if (!result.ok) {
        set({ members: { ...current, loading: false, loaded: true, error: result.error } })
        return
      }
      set({ members: { ...current, ...withPage([], result.value, search) } })
    }
  )

  const fetchMembers = async (reset: boolean): Promise<void> => {
    const { roleId, members } = get()
    if (!roleId) return
    if (reset) {
      set({ members: { ...members, loading: true, error: null } })
      return firstMembers()
    }
    if (members.loading || !members.nextCursor) return
    const query = memberQuery
    set({ members: { ...members, loading: true } })
    const result = await api.listUsers({
      filter: { roleId, ...(members.search ? { search: members.search } : {}) },
      sort: { field: 'name', direction: 'asc' },
      after: members.nextCursor,
      limit: PAGE_SIZE
    })
    if (query !== memberQuery || get().roleId !== roleId) return
    const current = get().members
    if (!result.ok) {
      set({ members: { ...current, loading: false, loaded: true, error: result.error } })
      return
    }
    set({ members: { ...current, ...withPage(current.rows, result.value, members.search) } })
  }

  return {
    roleId: null,
    role: null,
    loadError: null,
    staged: EMPTY_STAGED,
    ipText: '',
    saving: false,
    failure: null,
    members: EMPTY_MEMBERS,

    open: async (roleId) => {
      memberQuery++
      set({
        roleId,
        role: null,
        loadError: null,
        staged: EMPTY_STAGED,
        ipText: '',
        failure: null,
        saving: false,
        members: EMPTY_MEMBERS
      })
      const [roleResult] = await Promise.all([api.getRole({ id: roleId }), fetchMembers(true)])
      if (get().roleId !== roleId) return
      if (roleResult.ok) set({ role: roleResult.value, ipText: roleResult.value.ipAccess.join('\n') })
      else set({ loadError: roleResult.error })
    },

    close: () => {
      memberQuery++
      set({ roleId: null, role: null, staged: EMPTY_STAGED, failure: null, members: EMPTY_MEMBERS })
    },

    editRole: (field, value) => {
      const { role, staged, failure } = get()
      if (!role) return
      const patch: RolePatch = { ...staged.role }
      if (sameValue(value, storedValue(role, field))) delete patch[field]
      else patch[field] = value
      set({ staged: { ...staged, role: patch }, failure: withoutRoleError(failure, field) })
    },

    editIpText: (text) => {
      set({ ipText: text })
      get().editRole('ipAccess', ipEntriesOf(text))
    },

    stageCreatedUser: (draft) => {
      const { staged } = get()
      set({ staged: { ...staged, create: [draft, ...staged.create] } })
    },

    unstageCreatedUser: (email) => {
      const { staged, failure } = get()
      const key = `create:${email.trim().toLowerCase()}`
      set({
        staged: { ...staged, create: staged.create.filter((draft) => draftKey(draft) !== key) },
        failure: withoutRowError(failure, key)
      })
    },

    stageAddedUsers: (users) => {
      const { staged } = get()
      const already = new Set(staged.add.map((user) => user.id))
      const fresh = users.filter((user) => !already.has(user.id))
      set({ staged: { ...staged, add: [...fresh, ...staged.add] } })
    },

    unstageAddedUser: (userId) => {
      const { staged, failure } = get()
      set({
        staged: { ...staged, add: staged.add.filter((user) => user.id !== userId) },
        failure: withoutRowError(failure, memberKey(userId))
      })
    },

    stageRemoval: (userId) => {
      const { staged } = get()
      if (staged.remove.includes(userId)) return
      set({ staged: { ...staged, remove: [...staged.remove, userId] } })
    },

    undoRemoval: (userId) => {
      const { staged, failure } = get()
      set({
        staged: { ...staged, remove: staged.remove.filter((id) => id !== userId) },
        failure: withoutRowError(failure, memberKey(userId))
      })
    },

    discard: () => {
      const { role } = get()
      set({ staged: EMPTY_STAGED, failure: null, ipText: role ? role.ipAccess.join('\n') : '' })
    },

    save: async () => {
      const { roleId, staged, saving } = get()
      if (!roleId || saving || !isDirty(staged)) return false
      set({ saving: true })
      const result = await api.saveRoleChanges({
        roleId,
        ...(Object.keys(staged.role).length > 0 ? { role: staged.role } : {}),
        create: staged.create,
        add: staged.add.map((user) => user.id),
        remove: staged.remove
      })
      if (get().roleId !== roleId) return false
      if (!result.ok) {
        const failure = failureOf(result.error, staged)
        set({ saving: false, failure })
        // One report per outcome: a banner already says it, announced as an alert.
        if (!failureHasBanner(failure)) notify({ tone: 'error', message: failure.message })
        return false
      }
      const { role, created, added, removed } = result.value
      set({ saving: false, failure: null, staged: EMPTY_STAGED, role, ipText: role.ipAccess.join('\n') })
      notify({ tone: 'success', message: savedMessage(role.name, created.length, added, removed) })
      await fetchMembers(true)
      return true
    },

    searchMembers: (search) => {
      set({ members: { ...get().members, search } })
      void fetchMembers(true)
    },

    loadMoreMembers: () => fetchMembers(false),
    reloadMembers: () => fetchMembers(true),

    reloadRole: async () => {
      const { roleId } = get()
      if (!roleId) return
      const result = await api.getRole({ id: roleId })
      if (result.ok && get().roleId === roleId) set({ role: result.value })
    }
  }
})

function savedMessage(roleName: string, created: number, added: number, removed: number): string {
  const parts = [
    created > 0 ? `${created} created` : null,
    added > 0 ? `${added} added` : null,
    removed > 0 ? `${removed} removed` : null
  ].filter((part): part is string => part !== null)
  return parts.length > 0 ? `Saved the ${roleName} role: ${parts.join(', ')}.` : `Saved the ${roleName} role.`
}
