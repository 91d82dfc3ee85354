/**
 * Writes to users: create (alone or in a batch, as a change set does), edit, bulk changes and
 * deletion. Every write checks the store's rules inside its transaction — unique addresses on
 * the normalised key, the password policy, the last active administrator — and is recorded in
 * the activity log.
 */
import { randomUUID } from 'node:crypto'
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import type { UserRow } from './db/schema'
import { checkEmail } from './email'
import { DomainError, FieldProblems, fieldPath } from './errors'
import type { BulkUpdateUsersInput, CreateUserInput, DeleteUsersInput, NewUserFields, UpdateUserInput, UserSelection } from './inputs'
import { freshInviteFields, newInviteNonce, newInviteNonces } from './invite-tokens'
import type { User, UserStatus } from './model'
import { hashPassword } from './passwords'
import { requireRoleRow, roleNamesOf } from './roles'
import { passwordChecker } from './settings'
import { allRaw, type Store } from './store'
import { settleRoleIndex } from './role-index'
import { userFilterCondition } from './user-directory'
import { loadUsers, requireUserRow, toUser } from './user-rows'

/** Optional text as stored: trimmed, and empty means absent. */
function optionalText(value: string | null | undefined): string | null {
  const text = value?.trim()
  return text ? text : null
}

const EMAIL_TAKEN = 'Already used by another user'

const INSERT_USER_SQL = `INSERT INTO users (
    id, email, email_key, first_name, last_name, status, role_id, indexed_role_id, password_hash, title, location,
    description, tags, invited_at, invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by
  ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Validate and insert new users into `roleId`, inside the caller's transaction. Every draft is
 * checked before anything is written: email syntax, uniqueness ignoring case (inside the batch
 * and against the database), the password policy. Field paths are `<path(index)>.email` etc.
 * Returns the new users' ids in the order of `drafts`.
 */
export function insertUsers(
  store: Store,
  drafts: readonly NewUserFields[],
  roleId: string | null,
  path: (index: number) => string = String
): string[] {
  const problems = new FieldProblems()
  const passwordProblem = passwordChecker(store)
  const firstIndexOfKey = new Map<string, number>()
  const checked = drafts.map((draft, index) => {
    const email = checkEmail(draft.email)
    if (!email.ok) {
      problems.add('validation', fieldPath(path(index), 'email'), email.reason, index)
    } else if (firstIndexOfKey.has(email.key)) {
      problems.add('conflict', fieldPath(path(index), 'email'), 'Used more than once in this batch', index)
    } else {
      firstIndexOfKey.set(email.key, index)
    }
    const password = draft.password ? draft.password : null
    if (password !== null) {
      const problem = passwordProblem(password)
      if (problem !== null) problems.add('password_policy', fieldPath(path(index), 'password'), problem, index)
    }
    return { draft, email: email.ok ? email : null, password }
  })
  if (firstIndexOfKey.size > 0) {
    const taken = store
      .prepare<string>('SELECT wanted.value FROM json_each(?) AS wanted JOIN users ON users.email_key = wanted.value')
      .pluck()
      .all(JSON.stringify([...firstIndexOfKey.keys()]))
    for (const key of taken) {
      const index = firstIndexOfKey.get(key)
      if (index !== undefined) problems.add('conflict', fieldPath(path(index), 'email'), EMAIL_TAKEN, index)
    }
  }
  problems.list.sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
  problems.throwIfAny((first) => {
    const email = first.index === undefined ? undefined : drafts[first.index]?.email.trim()
    return email ? `${email}: ${first.message}` : first.message
  })

  const insert = store.prepare(INSERT_USER_SQL)
  const now = store.now().toISOString()
  // Drafts created as `invited` get a real invite at once: one set of dates, a nonce each.
  const invitedCount = drafts.filter((draft) => draft.status === 'invited').length
  const inviteDates = invitedCount > 0 ? freshInviteFields(store) : null
  const nonces = newInviteNonces(invitedCount)
  let nonceIndex = 0
  return checked.map(({ draft, email, password }) => {
    // Every draft passed the checks above, so `email` is set.
    if (!email) throw new Error('unreachable: unchecked email')
    const id = randomUUID()
    const invite = draft.status === 'invited' && inviteDates ? { ...inviteDates, invite_nonce: nonces[nonceIndex++] ?? null } : null
    insert.run(
      id,
      email.email,
      email.key,
      optionalText(draft.firstName),
      optionalText(draft.lastName),
      draft.status,
      roleId,
      roleId,
      password === null ? null : hashPassword(password),
      optionalText(draft.title),
      optionalText(draft.location),
      optionalText(draft.description),
      JSON.stringify(draft.tags ?? []),
      invite?.invited_at ?? null,
      invite?.invite_expires_at ?? null,
      invite?.invite_nonce ?? null,
      now,
      now,
      store.actor
    )
    return id
  })
}

export function createUser(store: Store, input: CreateUserInput): User {
  return store.transaction(() => {
    const roleId = input.roleId ?? null
    if (roleId !== null) requireRoleRow(store, roleId, 'roleId')
    const [id] = insertUsers(store, [input], roleId, () => '')
    const [user] = loadUsers(store, id === undefined ? [] : [id])
    if (!user) throw new Error('The new user was not written')
    recordActivity(store, {
      action: 'user.create',
      collection: 'users',
      recordIds: [user.id],
      summary: `Created user ${user.email}`,
      after: user
    })
    return user
  })
}

/** What changes on the invite fields when a user's status changes. */
function inviteFieldsFor(
  store: Store,
  from: UserStatus,
  to: UserStatus
): Pick<UserRow, 'invited_at' | 'invite_expires_at' | 'invite_nonce'> | null {
  if (from === to) return null
  // Leaving `invited` kills the pending invite; entering it starts a fresh one with a working link.
  return to === 'invited' ? freshInviteFields(store) : { invited_at: null, invite_expires_at: null, invite_nonce: null }
}

const LAST_ADMIN_CAUSE = 'This is the last active administrator'

export function updateUser(store: Store, input: UpdateUserInput): User {
  return store.transaction(() => {
    const row = requireUserRow(store, input.id)
    const { patch } = input
    const admins = countActiveAdmins(store)
    const now = store.now().toISOString()
    const next: UserRow = { ...row }

    if (patch.email !== undefined) {
      const email = checkEmail(patch.email)
      if (!email.ok) throw new DomainError('validation', email.reason, { 'patch.email': email.reason })
      if (email.key !== row.email_key) {
        const taken = store.get(store.db.selectFrom('users').select('id').where('email_key', '=', email.key).where('id', '!=', row.id))
        if (taken) {
          throw new DomainError('conflict', `${email.email} is already used by another user`, {
            'patch.email': EMAIL_TAKEN
          })
        }
      }
      next.email = email.email
      next.email_key = email.key
    }
    if (patch.password !== undefined) {
      if (patch.password) {
        const problem = passwordChecker(store)(patch.password)
        if (problem !== null) throw new DomainError('password_policy', problem, { 'patch.password': problem })
        next.password_hash = hashPassword(patch.password)
      } else {
        next.password_hash = null
      }
    }
    if (patch.roleId !== undefined) {
      if (patch.roleId !== null) requireRoleRow(store, patch.roleId, 'patch.roleId')
      next.role_id = patch.roleId
    }
    if (patch.status !== undefined) {
      next.status = patch.status
      Object.assign(next, inviteFieldsFor(store, row.status, patch.status))
    }
    // A pending invite whose address changes is a new invite for the new address: links sent to
    // the old one stop working (their `jti` is no longer the user's), the expiry stays.
    if (next.status === 'invited' && row.status === 'invited' && row.invite_nonce !== null && next.email_key !== row.email_key) {
      next.invite_nonce = newInviteNonce()
    }
    if (patch.firstName !== undefined) next.first_name = optionalText(patch.firstName)
    if (patch.lastName !== undefined) next.last_name = optionalText(patch.lastName)
    if (patch.title !== undefined) next.title = optionalText(patch.title)
    if (patch.location !== undefined) next.location = optionalText(patch.location)
    if (patch.description !== undefined) next.description = optionalText(patch.description)
    if (patch.tags !== undefined) next.tags = JSON.stringify(patch.tags)

    const columns = (
      [
        'email',
        'email_key',
        'first_name',
        'last_name',
        'status',
        'role_id',
        'password_hash',
        'title',
        'location',
        'description',
        'tags',
        'invited_at',
        'invite_expires_at',
        'invite_nonce'
      ] as const
    ).filter((column) => row[column] !== next[column])
    if (columns.length === 0) return toUser(row, row.role_name)

    store.run(
      store.db
        .updateTable('users')
        .set({
          ...Object.fromEntries(columns.map((column) => [column, next[column]])),
          // The role-ordered indexes file the user under the new role at once (core/role-index.ts).
          ...(columns.includes('role_id') && { indexed_role_id: next.role_id }),
          updated_at: now,
          last_changed_by: store.actor
        })
        .where('id', '=', row.id)
    )
    ensureAdminRemains(store, admins, () => ({
      ...(next.status !== row.status && { 'patch.status': LAST_ADMIN_CAUSE }),
      ...(next.role_id !== row.role_id && { 'patch.roleId': LAST_ADMIN_CAUSE })
    }))
    const before = toUser(row, row.role_name)
    const [after] = loadUsers(store, [row.id])
    if (!after) throw new Error('The user was not written')
    const changed = (Object.keys(after) as Array<keyof User>).filter(
      (key) => key !== 'updatedAt' && key !== 'lastChangedBy' && JSON.stringify(before[key]) !== JSON.stringify(after[key])
    )
    recordActivity(store, {
      action: 'user.update',
      collection: 'users',
      recordIds: [row.id],
      summary: `Updated user ${after.email}`,
      before: Object.fromEntries(changed.map((key) => [key, before[key]])),
      after: Object.fromEntries(changed.map((key) => [key, after[key]]))
    })
    return after
  })
}

/**
 * The users a selection names, as one SQL condition. Ids that do not exist are reported
 * (`selection.ids.N`) rather than ignored: the admin chose them from a list that is now stale.
 */
function selectionCondition(store: Store, selection: UserSelection): RawBuilder<SqlBool> {
  if ('filter' in selection) {
    // The condition reads a role through its index, which must not trail then.
    settleRoleIndex(store)
    return userFilterCondition(selection.filter)
  }
  const ids = JSON.stringify(selection.ids)
  // json_each keys of an array are its indexes.
  const missing = store
    .prepare<number>(
      `SELECT wanted.key FROM json_each(?) AS wanted
        WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = wanted.value)`
    )
    .pluck()
    .all(ids)
  if (missing.length > 0) {
    throw new DomainError(
      'not_found',
      missing.length === 1 ? 'One of the chosen users no longer exists' : `${missing.length} of the chosen users no longer exist`,
      Object.fromEntries(missing.slice(0, 100).map((index) => [`selection.ids.${index}`, 'No such user']))
    )
  }
  return sql<SqlBool>`users.id IN (SELECT value FROM json_each(${ids}))`
}

interface SelectedUser {
  id: string
  email: string
  role_id: string | null
  status: UserStatus
}

/** Ids grouped by a previous value: a compact before-image for bulk changes. */
function groupIds(rows: readonly SelectedUser[], value: (row: SelectedUser) => string | null): Record<string, string[]> {
  const groups: Record<string, string[]> = {}
  for (const row of rows) (groups[value(row) ?? 'null'] ??= []).push(row.id)
  return groups
}

export function bulkUpdateUsers(store: Store, input: BulkUpdateUsersInput): { updated: number } {
  return store.transaction(() => {
    const { patch } = input
    const condition = selectionCondition(store, input.selection)
    const targetRole = 'roleId' in patch && patch.roleId !== null ? requireRoleRow(store, patch.roleId, 'patch.roleId') : null
    const changes = 'roleId' in patch ? sql<SqlBool>`users.role_id IS NOT ${patch.roleId}` : sql<SqlBool>`users.status != ${patch.status}`
    const rows = allRaw(
      store,
      sql<SelectedUser>`SELECT users.id, users.email, users.role_id, users.status FROM users WHERE ${condition} AND ${changes}`
    )
    if (rows.length === 0) return { updated: 0 }
    const admins = countActiveAdmins(store)
    const ids = JSON.stringify(rows.map((row) => row.id))
    const now = store.now().toISOString()
    if ('roleId' in patch) {
      store
        .prepare(
          `UPDATE users SET role_id = ?, indexed_role_id = ?, updated_at = ?, last_changed_by = ?
            WHERE id IN (SELECT value FROM json_each(?))`
        )
        .run(patch.roleId, patch.roleId, now, store.actor, ids)
    } else if (patch.status === 'invited') {
      // Each user entering `invited` gets a fresh invite of their own (nonce, expiry).
      const { invited_at, invite_expires_at } = freshInviteFields(store)
      const nonces = newInviteNonces(rows.length)
      const update = store.prepare(
        `UPDATE users SET status = 'invited', updated_at = ?, last_changed_by = ?,
                invited_at = ?, invite_expires_at = ?, invite_nonce = ? WHERE id = ?`
      )
      rows.forEach((row, index) => update.run(now, store.actor, invited_at, invite_expires_at, nonces[index], row.id))
    } else {
      // Only rows whose status changes are listed: each one leaving `invited` loses its invite.
      store
        .prepare(
          `UPDATE users SET status = ?, updated_at = ?, last_changed_by = ?,
                  invited_at = NULL, invite_expires_at = NULL, invite_nonce = NULL
            WHERE id IN (SELECT value FROM json_each(?))`
        )
        .run(patch.status, now, store.actor, ids)
    }
    const field = 'roleId' in patch ? 'patch.roleId' : 'patch.status'
    ensureAdminRemains(store, admins, () => ({
      [field]: 'The chosen users include every active administrator'
    }))
    recordActivity(store, {
      action: 'user.bulk_update',
      collection: 'users',
      recordIds: rows.map((row) => row.id),
      summary:
        'roleId' in patch
          ? `${patch.roleId === null ? 'Removed the role of' : 'Assigned a role to'} ${rows.length} user(s)`
          : `Set the status of ${rows.length} user(s) to ${patch.status}`,
      before:
        'roleId' in patch
          ? {
              roleId: groupIds(rows, (row) => row.role_id),
              roleNames: roleNamesOf(
                store,
                rows.map((row) => row.role_id)
              )
            }
          : { status: groupIds(rows, (row) => row.status) },
      after: 'roleId' in patch ? { roleId: patch.roleId, roleName: targetRole?.name ?? null } : patch
    })
    return { updated: rows.length }
  })
}

/** Deleted users kept in full in the activity log; beyond this, ids and a count only. */
const DELETE_SNAPSHOT_LIMIT = 10_000

export function deleteUsers(store: Store, input: DeleteUsersInput): { deleted: number } {
  return store.transaction(() => {
    const condition = selectionCondition(store, input.selection)
    const rows = allRaw(store, sql<SelectedUser>`SELECT users.id, users.email, users.role_id, users.status FROM users WHERE ${condition}`)
    if (rows.length === 0) return { deleted: 0 }
    const roleNames = roleNamesOf(
      store,
      rows.map((row) => row.role_id)
    )
    const admins = countActiveAdmins(store)
    store.prepare('DELETE FROM users WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((row) => row.id)))
    ensureAdminRemains(store, admins, () => ({
      selection: 'The chosen users include every active administrator'
    }))
    recordActivity(store, {
      action: 'user.delete',
      collection: 'users',
      recordIds: rows.map((row) => row.id),
      summary: rows.length === 1 ? `Deleted user ${rows[0]?.email ?? ''}` : `Deleted ${rows.length} users`,
      before: {
        count: rows.length,
        users: rows.slice(0, DELETE_SNAPSHOT_LIMIT).map((row) => ({
          id: row.id,
          email: row.email,
          roleId: row.role_id,
          roleName: row.role_id === null ? null : (roleNames[row.role_id] ?? null),
          status: row.status
        }))
      }
    })
    return { deleted: rows.length }
  })
}
