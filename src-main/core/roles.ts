import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import { parseStringList, type RoleRow, type RoleRowUpdate, type UserCountRow, type UserRow } from './db/schema'
import { DomainError } from './errors'
import { DEFAULT_ROLE_ICON, type Role, type RoleDetail, type RoleSummary, type RolesOverview } from './model'
import type { CreateRoleInput, DeleteRoleInput, GetRoleInput, ListRolesInput, RolePatch, UpdateRoleInput } from './inputs'
import { settleRoleIndex } from './role-index'
import type { Store } from './store'

/** The key role names are unique on: names are unique ignoring case. */
export function roleNameKey(name: string): string {
  return name.trim().normalize('NFC').toLowerCase()
}

export function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    name: row.name,
    icon: row.icon,
    description: row.description,
    adminAccess: row.admin_access === 1,
    appAccess: row.app_access === 1,
    ipAccess: parseStringList(row.ip_access),
    enforceTfa: row.enforce_tfa === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export function findRoleRow(store: Store, id: string): RoleRow | undefined {
  return store.get(store.db.selectFrom('roles').selectAll().where('id', '=', id))
}

export function requireRoleRow(store: Store, id: string, field = 'id'): RoleRow {
  const row = findRoleRow(store, id)
  if (!row) throw new DomainError('not_found', `The role ${id} does not exist`, { [field]: 'No such role' })
  return row
}

/**
 * Role id → name for the roles among `ids` that exist, so an activity entry keeps the names as
 * they were when it was written: a later rename or deletion must not change what the log says.
 */
export function roleNamesOf(store: Store, ids: Iterable<string | null>): Record<string, string> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))]
  if (wanted.length === 0) return {}
  const rows = store
    .prepare<Pick<RoleRow, 'id' | 'name'>>('SELECT id, name FROM roles WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(wanted))
  return Object.fromEntries(rows.map((row) => [row.id, row.name]))
}

/** The role with this name (ignoring case), e.g. for an import that names roles. */
export function findRoleByName(store: Store, name: string): Role | undefined {
  const row = store.get(store.db.selectFrom('roles').selectAll().where('name_key', '=', roleNameKey(name)))
  return row ? toRole(row) : undefined
}

/** Members per role (role id → count), from the trigger-kept counts; '' is Public. */
function memberCounts(store: Store): Map<string, number> {
  const rows = store.prepare<Pick<UserCountRow, 'role_key' | 'n'>>('SELECT role_key, sum(n) AS n FROM user_counts GROUP BY role_key').all()
  return new Map(rows.map((row) => [row.role_key, row.n]))
}

export function roleMemberCount(store: Store, roleId: string): number {
  return store.prepare<{ n: number }>('SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE role_key = ?').get(roleId)?.n ?? 0
}

function pendingInviteCount(store: Store, roleId: string): number {
  return (
    store.prepare<{ n: number }>("SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE role_key = ? AND status = 'invited'").get(roleId)
      ?.n ?? 0
  )
}

export function toRoleDetail(store: Store, row: RoleRow): RoleDetail {
  return {
    ...toRole(row),
    memberCount: roleMemberCount(store, row.id),
    pendingInviteCount: pendingInviteCount(store, row.id)
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}

export function listRoles(store: Store, input: ListRolesInput): RolesOverview {
  let query = store.db.selectFrom('roles').selectAll()
  const search = input.search?.trim()
  if (search) {
    query = query.where(sql<boolean>`name_key LIKE ${`%${escapeLike(roleNameKey(search))}%`} ESCAPE '\\'`)
  }
  const rows = store.all(query.orderBy('name_key').orderBy('id'))
  const counts = memberCounts(store)
  return {
    public: { memberCount: counts.get('') ?? 0 },
    roles: rows.map((row): RoleSummary => ({ ...toRole(row), memberCount: counts.get(row.id) ?? 0 }))
  } satisfies RolesOverview
}

export function getRole(store: Store, input: GetRoleInput): RoleDetail {
  return toRoleDetail(store, requireRoleRow(store, input.id))
}

function normaliseDescription(description: string | null | undefined): string | null {
  const text = description?.trim()
  return text ? text : null
}

function ensureNameFree(store: Store, name: string, field: string, exceptId?: string): void {
  let query = store.db.selectFrom('roles').select('id').where('name_key', '=', roleNameKey(name))
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId)
  if (store.get(query)) {
    throw new DomainError('conflict', `A role named "${name.trim()}" already exists`, {
      [field]: 'Another role already has this name'
    })
  }
}

export function createRole(store: Store, input: CreateRoleInput): RoleDetail {
  return store.transaction(() => {
    const name = input.name.trim()
    ensureNameFree(store, name, 'name')
    const now = store.now().toISOString()
    const row: RoleRow = {
      id: randomUUID(),
      name,
      name_key: roleNameKey(name),
      icon: input.icon ?? DEFAULT_ROLE_ICON,
      description: normaliseDescription(input.description),
      admin_access: input.adminAccess ? 1 : 0,
      app_access: input.appAccess === false ? 0 : 1,
      ip_access: JSON.stringify(input.ipAccess ?? []),
      enforce_tfa: input.enforceTfa ? 1 : 0,
      created_at: now,
      updated_at: now
    }
    store.run(store.db.insertInto('roles').values(row))
    const role = toRole(row)
    recordActivity(store, {
      action: 'role.create',
      collection: 'roles',
      recordIds: [row.id],
      summary: `Created role ${name}`,
      after: role
    })
    return toRoleDetail(store, row)
  })
}

export interface RolePatchResult {
  row: RoleRow
  /** The changed fields before and after, for the activity log; empty when nothing changed. */
  before: Partial<Role>
  after: Partial<Role>
  /** True when the patch turned admin access off. */
  adminAccessRevoked: boolean
}

/**
 * Apply a patch to a role inside the caller's transaction. `path` prefixes field paths in
 * errors (`patch` for updateRole, `role` for a change set). Does not check the admin guard.
 */
export function applyRolePatch(store: Store, row: RoleRow, patch: RolePatch, path: string): RolePatchResult {
  const current = toRole(row)
  const next: Role = {
    ...current,
    ...(patch.name !== undefined && { name: patch.name.trim() }),
    ...(patch.icon !== undefined && { icon: patch.icon }),
    ...(patch.description !== undefined && { description: normaliseDescription(patch.description) }),
    ...(patch.adminAccess !== undefined && { adminAccess: patch.adminAccess }),
    ...(patch.appAccess !== undefined && { appAccess: patch.appAccess }),
    ...(patch.ipAccess !== undefined && { ipAccess: patch.ipAccess }),
    ...(patch.enforceTfa !== undefined && { enforceTfa: patch.enforceTfa })
  }
  const keys = (['name', 'icon', 'description', 'adminAccess', 'appAccess', 'ipAccess', 'enforceTfa'] as const).filter(
    (key) => JSON.stringify(current[key]) !== JSON.stringify(next[key])
  )
  if (keys.length === 0) return { row, before: {}, after: {}, adminAccessRevoked: false }
  if (keys.includes('name') && roleNameKey(next.name) !== row.name_key) {
    ensureNameFree(store, next.name, `${path}.name`, row.id)
  }
  const update: RoleRowUpdate = {
    name: next.name,
    name_key: roleNameKey(next.name),
    icon: next.icon,
    description: next.description,
    admin_access: next.adminAccess ? 1 : 0,
    app_access: next.appAccess ? 1 : 0,
    ip_access: JSON.stringify(next.ipAccess),
    enforce_tfa: next.enforceTfa ? 1 : 0,
    updated_at: store.now().toISOString()
  }
  store.run(store.db.updateTable('roles').set(update).where('id', '=', row.id))
  return {
    row: { ...row, ...update } satisfies RoleRow,
    before: Object.fromEntries(keys.map((key) => [key, current[key]])),
    after: Object.fromEntries(keys.map((key) => [key, next[key]])),
    adminAccessRevoked: current.adminAccess && !next.adminAccess
  }
}

export const adminAccessCause = (path: string): Record<string, string> => ({
  [`${path}.adminAccess`]: 'Its members are the only active administrators: admin access cannot be turned off'
})

export function updateRole(store: Store, input: UpdateRoleInput): RoleDetail {
  return store.transaction(() => {
    const row = requireRoleRow(store, input.id)
    const admins = countActiveAdmins(store)
    const result = applyRolePatch(store, row, input.patch, 'patch')
    ensureAdminRemains(store, admins, () => adminAccessCause('patch'))
    if (Object.keys(result.after).length > 0) {
      recordActivity(store, {
        action: 'role.update',
        collection: 'roles',
        recordIds: [row.id],
        summary: `Updated role ${result.row.name}`,
        before: result.before,
        after: result.after
      })
    }
    return toRoleDetail(store, result.row)
  })
}

export function deleteRole(store: Store, input: DeleteRoleInput): { affected: number } {
  return store.transaction(() => {
    const row = requireRoleRow(store, input.id)
    const target = input.moveMembersTo
    if (target === input.id) {
      throw new DomainError('validation', 'Members cannot be moved into the role being deleted', {
        moveMembersTo: 'Choose another role'
      })
    }
    const targetRow = target === null ? null : requireRoleRow(store, target, 'moveMembersTo')
    const admins = countActiveAdmins(store)
    // Members found through the role's index, which must not trail then.
    settleRoleIndex(store)
    const members = store.prepare<UserRow['id']>('SELECT id FROM users WHERE indexed_role_id = ?').pluck().all(row.id)
    const now = store.now().toISOString()
    if (members.length > 0) {
      if (targetRow) {
        store
          .prepare('UPDATE users SET role_id = ?, indexed_role_id = ?, updated_at = ?, last_changed_by = ? WHERE indexed_role_id = ?')
          .run(targetRow.id, targetRow.id, now, store.actor, row.id)
      } else {
        // Directus behaviour: members left without a role are suspended; a pending invite dies.
        store
          .prepare(
            `UPDATE users SET role_id = NULL, indexed_role_id = NULL, status = 'suspended', updated_at = ?, last_changed_by = ?,
                    invite_nonce = NULL, invited_at = NULL, invite_expires_at = NULL
              WHERE indexed_role_id = ?`
          )
          .run(now, store.actor, row.id)
      }
    }
    store.run(store.db.deleteFrom('roles').where('id', '=', row.id))
    ensureAdminRemains(store, admins, () => ({
      [targetRow ? 'moveMembersTo' : 'id']: targetRow
        ? 'Its members are the only active administrators: move them to a role with admin access'
        : 'Its members are the only active administrators: move them to another role with admin access'
    }))
    recordActivity(store, {
      action: 'role.delete',
      collection: 'roles',
      recordIds: [row.id, ...members],
      summary: targetRow
        ? `Deleted role ${row.name}; ${members.length} member(s) moved to ${targetRow.name}`
        : `Deleted role ${row.name}; ${members.length} member(s) became Public and suspended`,
      before: { role: toRole(row), members },
      after: targetRow ? { roleId: targetRow.id, roleName: targetRow.name } : { roleId: null, roleName: null, status: 'suspended' }
    })
    return { affected: members.length }
  })
}
