/**
 * Users as rows and as the shape the core answers with. Every read path (the directory's pages,
 * a change set's created users, an invite's user) maps rows here, so a column means the same
 * thing everywhere.
 */
import { parseStringList, type UserRow } from './db/schema'
import { notFound } from './errors'
import type { User } from './model'
import type { Store } from './store'

/** A users row with its role's name, as the list queries return it. */
export type UserRowWithRole = UserRow & { role_name: string | null }

export function toUser(row: UserRow, roleName: string | null): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    status: row.status,
    roleId: row.role_id,
    roleName: row.role_id === null ? null : roleName,
    hasPassword: row.password_hash !== null,
    title: row.title,
    location: row.location,
    description: row.description,
    tags: parseStringList(row.tags),
    invitedAt: row.invited_at,
    inviteExpiresAt: row.invite_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastChangedBy: row.last_changed_by
  }
}

const USER_WITH_ROLE_SQL = `SELECT users.*, users.sort_name AS sort_name, roles.name AS role_name
  FROM json_each(?) AS wanted
  JOIN users ON users.id = wanted.value
  LEFT JOIN roles ON roles.id = users.role_id
  ORDER BY wanted.key`

/** The users with these ids, in the order given; unknown ids are left out. */
export function loadUsers(store: Store, ids: readonly string[]): User[] {
  if (ids.length === 0) return []
  const rows = store.prepare<UserRowWithRole>(USER_WITH_ROLE_SQL).all(JSON.stringify(ids))
  return rows.map((row) => toUser(row, row.role_name))
}

export function requireUserRow(store: Store, id: string): UserRowWithRole {
  const row = store.prepare<UserRowWithRole>(USER_WITH_ROLE_SQL).get(JSON.stringify([id]))
  if (!row) throw notFound('User', id)
  return row
}
