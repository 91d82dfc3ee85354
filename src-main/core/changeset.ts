import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import { DomainError, FieldProblems } from './errors'
import type { RoleRow, SqlBoolean, UserRow } from './db/schema'
import type { RoleChangeSetResult } from './model'
import { adminAccessCause, applyRolePatch, requireRoleRow, toRoleDetail, type RolePatchResult } from './roles'
import type { SaveRoleChangesInput } from './inputs'
import type { Store } from './store'
import { loadUsers } from './user-rows'
import { insertUsers } from './users'

/** A staged member id as the database knows it: where the id points now. */
interface StagedMember {
  index: number
  id: UserRow['id']
  /** The user's rowid, so the writes below skip a second lookup by id. */
  rowid: UserRow['rowid'] | null
  found: SqlBoolean
  role_id: UserRow['role_id']
  /** The name of the user's current role, for the activity log. */
  role_name: RoleRow['name'] | null
  status: UserRow['status'] | null
  /** 1 when the user's current role has admin access. */
  admin: RoleRow['admin_access']
}

const LOOKUP_SQL = `SELECT wanted.key AS "index", wanted.value AS id, users.rowid AS rowid, users.id IS NOT NULL AS found,
    users.role_id, roles.name AS role_name, users.status, coalesce(roles.admin_access, 0) AS admin
  FROM json_each(?) AS wanted
  LEFT JOIN users ON users.id = wanted.value
  LEFT JOIN roles ON roles.id = users.role_id`

/** Where each staged id stands, in one set-based query (no per-row SELECT). */
function lookUp(store: Store, ids: readonly string[]): StagedMember[] {
  if (ids.length === 0) return []
  return store.prepare<StagedMember>(LOOKUP_SQL).all(JSON.stringify(ids))
}

/**
 * Save a role page: role fields, users to create, users to add and users to remove, in one
 * transaction. Every problem is collected before anything is kept, with field paths such as
 * `role.name`, `create.2.email`, `add.0`, `remove.3`; the last-admin rule is checked once, on
 * the result.
 */
export function saveRoleChanges(store: Store, input: SaveRoleChangesInput): RoleChangeSetResult {
  return store.transaction(() => {
    const roleRow = requireRoleRow(store, input.roleId, 'roleId')
    const admins = countActiveAdmins(store)
    const failures: DomainError[] = []
    const attempt = <T>(step: () => T): T | undefined => {
      try {
        return step()
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        failures.push(error)
        return undefined
      }
    }

    const patched: RolePatchResult | undefined = input.role
      ? attempt(() => applyRolePatch(store, roleRow, input.role ?? {}, 'role'))
      : { row: roleRow, before: {}, after: {}, adminAccessRevoked: false }

    const toAdd = lookUp(store, input.add)
    const toRemove = lookUp(store, input.remove)
    const removing = new Set(input.remove)
    const membership = new FieldProblems()
    for (const member of toAdd) {
      if (!member.found) membership.add('not_found', `add.${member.index}`, 'This user no longer exists', member.index)
      else if (removing.has(member.id)) membership.add('validation', `add.${member.index}`, 'Also staged for removal', member.index)
    }
    for (const member of toRemove) {
      if (!member.found) membership.add('not_found', `remove.${member.index}`, 'This user no longer exists', member.index)
      else if (member.role_id !== roleRow.id) {
        membership.add('validation', `remove.${member.index}`, 'Not a member of this role', member.index)
      }
    }
    attempt(() => membership.throwIfAny((first) => `${first.path}: ${first.message}`))

    const createdIds = attempt(() => insertUsers(store, input.create, roleRow.id, (index) => `create.${index}`)) ?? []

    if (failures.length > 0 || !patched) throw mergeFailures(failures)

    const now = store.now().toISOString()
    const moved = toAdd.filter((member) => member.role_id !== roleRow.id)
    const addedIds = unique(moved.map((member) => member.id))
    const removedIds = unique(toRemove.map((member) => member.id))
    // `role_id` alone: the role-ordered indexes catch up in the background (role-index.ts).
    moveMembers(
      store,
      [
        { members: moved, to: roleRow.id },
        { members: toRemove, to: null }
      ],
      now
    )

    const role = patched.row
    ensureAdminRemains(store, admins, () => {
      const fields: Record<string, string> = patched.adminAccessRevoked ? adminAccessCause('role') : {}
      for (const member of toRemove) {
        if (member.status === 'active' && roleRow.admin_access === 1) {
          fields[`remove.${member.index}`] = 'Removing this user would leave no active administrator'
        }
      }
      for (const member of toAdd) {
        if (member.status === 'active' && member.admin === 1 && member.role_id !== role.id && role.admin_access === 0) {
          fields[`add.${member.index}`] = 'Moving this user here would leave no active administrator'
        }
      }
      return fields
    })

    const changedFields = Object.keys(patched.after)
    if (changedFields.length + createdIds.length + addedIds.length + removedIds.length > 0) {
      recordActivity(store, {
        action: 'role.save',
        collection: 'roles',
        recordIds: [role.id, ...createdIds, ...addedIds, ...removedIds],
        summary: saveSummary(role.name, changedFields.length, createdIds.length, addedIds.length, removedIds.length),
        before: {
          role: patched.before,
          added: Object.fromEntries(moved.map((member) => [member.id, { roleId: member.role_id, roleName: member.role_name }]))
        },
        after: { role: patched.after, created: createdIds, added: addedIds, removed: removedIds }
      })
    }

    return {
      role: toRoleDetail(store, role),
      created: loadUsers(store, createdIds),
      added: addedIds.length,
      removed: removedIds.length
    } satisfies RoleChangeSetResult
  })
}

interface Move {
  members: readonly StagedMember[]
  /** The role they move to; null takes them out of their role (the status stays as it is, PRODUCT §1, rule 3). */
  to: RoleRow['id'] | null
}

/**
 * Write each move's members' role in one statement, and all their counts in one more: the lookup
 * said where every member was, so user_counts' row-by-row trigger is held off meanwhile
 * (migration 8), inside this transaction, and the counts change once per role and status.
 */
function moveMembers(store: Store, moves: readonly Move[], now: string): void {
  /** Members moved by where they came from and where they went, keyed `from \0 to \0 status`. */
  const moved = new Map<string, number>()
  const writes = moves.map(({ members, to }) => {
    const rowids = new Set<number>()
    for (const member of members) {
      // A member staged twice moves once.
      if (member.rowid === null || rowids.has(member.rowid)) continue
      rowids.add(member.rowid)
      const key = `${member.role_id ?? ''}\0${to ?? ''}\0${member.status ?? ''}`
      moved.set(key, (moved.get(key) ?? 0) + 1)
    }
    return { to, rowids: [...rowids] }
  })
  if (moved.size === 0) return

  store.prepare('INSERT INTO user_counts_held (held) VALUES (1)').run()
  for (const { to, rowids } of writes) {
    if (rowids.length === 0) continue
    store
      .prepare(
        `UPDATE users SET role_id = ?, updated_at = ?, last_changed_by = ?
          WHERE rowid IN (SELECT value FROM json_each(?))`
      )
      .run(to, now, store.actor, JSON.stringify(rowids))
  }
  store.prepare('DELETE FROM user_counts_held').run()

  const deltas = [...moved].flatMap(([key, n]) => {
    const [from = '', to = '', status = ''] = key.split('\0')
    return [
      [from, status, -n],
      [to, status, n]
    ]
  })
  store
    .prepare(
      `INSERT INTO user_counts (role_key, status, n)
        SELECT value ->> 0, value ->> 1, sum(value ->> 2) FROM json_each(?) GROUP BY 1, 2
        ON CONFLICT (role_key, status) DO UPDATE SET n = n + excluded.n`
    )
    .run(JSON.stringify(deltas))
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)]
}

/** One error for the whole change set: the first failure's code and words, every field. */
function mergeFailures(failures: readonly DomainError[]): DomainError {
  const [first] = failures
  if (!first) return new DomainError('internal', 'The change set could not be applied')
  if (failures.length === 1) return first
  const fields: Record<string, string> = {}
  for (const failure of failures) Object.assign(fields, failure.fields)
  const more = Object.keys(fields).length - Object.keys(first.fields ?? {}).length
  return new DomainError(
    first.code,
    more > 0 ? `${first.message} (and ${more} more problem${more === 1 ? '' : 's'})` : first.message,
    fields
  )
}

function saveSummary(name: string, fields: number, created: number, added: number, removed: number): string {
  const parts = [
    fields > 0 && `${fields} field${fields === 1 ? '' : 's'} changed`,
    created > 0 && `${created} created`,
    added > 0 && `${added} added`,
    removed > 0 && `${removed} removed`
  ].filter((part): part is string => typeof part === 'string')
  return `Saved role ${name}: ${parts.join(', ')}`
}
