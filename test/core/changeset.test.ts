import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CallInput } from '../../src-main/ipc/contract'
import { listActivity } from '../../src-main/core/activity'
import { saveRoleChanges } from '../../src-main/core/changeset'
import { DomainError } from '../../src-main/core/errors'
import type { RoleDetail, User } from '../../src-main/core/model'
import { createRole, getRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { getUser, listUsers } from '../../src-main/core/user-directory'
import { createUser } from '../../src-main/core/users'
import { snapshot } from '../helpers/domain'
import { openTestStore } from '../helpers/store'
import { createRoleInput, createUserInput, listActivityInput, listUsersInput, saveRoleChangesInput } from '../../src-main/core/inputs'

/** Runs a change set that must fail; asserts nothing of it was applied and returns the error. */
function refused(store: Store, input: CallInput<'saveRoleChanges'>): DomainError {
  const before = snapshot(store)
  try {
    saveRoleChanges(store, saveRoleChangesInput.parse(input))
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    expect(snapshot(store)).toEqual(before)
    return error
  }
  throw new Error('expected the change set to be refused')
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000'

let store: Store
let editors: RoleDetail
let viewers: RoleDetail
let member: User
let invitedMember: User
let viewer: User
let outsider: User

beforeEach(async () => {
  store = await openTestStore()
  const admins = createRole(store, createRoleInput.parse({ name: 'Administrator', adminAccess: true }))
  createUser(store, createUserInput.parse({ email: 'root@example.org', roleId: admins.id }))
  editors = createRole(store, createRoleInput.parse({ name: 'Editor' }))
  viewers = createRole(store, createRoleInput.parse({ name: 'Viewer' }))
  member = createUser(store, createUserInput.parse({ email: 'member@example.org', roleId: editors.id }))
  invitedMember = createUser(store, createUserInput.parse({ email: 'invited@example.org', roleId: editors.id, status: 'invited' }))
  viewer = createUser(store, createUserInput.parse({ email: 'viewer@example.org', roleId: viewers.id, status: 'suspended' }))
  outsider = createUser(store, createUserInput.parse({ email: 'outsider@example.org' }))
})
afterEach(() => store.close())

describe('saving a role page', () => {
  it('applies role fields, created, added and removed members together', () => {
    const result = saveRoleChanges(
      store,
      saveRoleChangesInput.parse({
        roleId: editors.id,
        role: { name: 'Editors', description: 'Write access' },
        create: [
          { email: 'New.One@Example.org', firstName: 'New', password: 'a fine passphrase' },
          { email: 'new.two@example.org', status: 'draft' }
        ],
        add: [viewer.id, outsider.id],
        remove: [member.id, invitedMember.id]
      })
    )
    expect(result.role).toMatchObject({
      id: editors.id,
      name: 'Editors',
      description: 'Write access',
      memberCount: 4,
      pendingInviteCount: 0
    })
    expect(result.created.map((user) => [user.email, user.status, user.roleName, user.hasPassword])).toEqual([
      ['New.One@Example.org', 'active', 'Editors', true],
      ['new.two@example.org', 'draft', 'Editors', false]
    ])
    expect(result).toMatchObject({ added: 2, removed: 2 })
    const members = listUsers(store, listUsersInput.parse({ filter: { roleId: editors.id }, sort: { field: 'email' } }))
    expect(members.rows.map((user) => user.email)).toEqual([
      'New.One@Example.org',
      'new.two@example.org',
      'outsider@example.org',
      'viewer@example.org'
    ])
    expect(getRole(store, { id: viewers.id }).memberCount).toBe(0)
  })

  it('makes removed members Public and leaves their status as it was', () => {
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: editors.id, remove: [member.id, invitedMember.id] }))
    expect(getUser(store, { id: member.id })).toMatchObject({ roleId: null, status: 'active' })
    expect(getUser(store, { id: invitedMember.id })).toMatchObject({ roleId: null, status: 'invited' })
  })

  it('counts only users who actually moved, and ignores repeated ids', () => {
    const result = saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: editors.id, add: [member.id, outsider.id, outsider.id] }))
    expect(result).toMatchObject({ added: 1, removed: 0 })
    expect(result.role.memberCount).toBe(3)
  })

  it('keeps the member counts of every role and status equal to the users they count', () => {
    const counted = (): unknown =>
      store.sqlite.prepare('SELECT role_key, status, n FROM user_counts WHERE n <> 0 ORDER BY role_key, status').all()
    const actual = (): unknown =>
      store.sqlite.prepare("SELECT coalesce(role_id, '') AS role_key, status, count(*) AS n FROM users GROUP BY 1, 2 ORDER BY 1, 2").all()
    // From two roles and from none, with a repeat, and out: each role and status moves its own way.
    saveRoleChanges(
      store,
      saveRoleChangesInput.parse({
        roleId: editors.id,
        add: [viewer.id, outsider.id, viewer.id],
        remove: [invitedMember.id, invitedMember.id]
      })
    )
    expect(counted()).toEqual(actual())
    expect(getRole(store, { id: editors.id })).toMatchObject({ memberCount: 3, pendingInviteCount: 0 })
    expect(getRole(store, { id: viewers.id }).memberCount).toBe(0)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: viewers.id, add: [member.id, invitedMember.id], remove: [] }))
    expect(counted()).toEqual(actual())
    // The change set let go of the trigger it held off: any other write is counted as before.
    expect(store.sqlite.prepare('SELECT count(*) FROM user_counts_held').pluck().get()).toBe(0)
    store.sqlite.prepare("UPDATE users SET role_id = ?, status = 'suspended' WHERE id = ?").run(editors.id, member.id)
    expect(counted()).toEqual(actual())
  })

  it('records one role.save entry naming every record, with before and after', () => {
    const result = saveRoleChanges(
      store,
      saveRoleChangesInput.parse({
        roleId: editors.id,
        role: { enforceTfa: true },
        create: [{ email: 'logged@example.org' }],
        add: [viewer.id],
        remove: [member.id]
      })
    )
    const entries = listActivity(store, listActivityInput.parse({ action: 'role.save' })).rows
    expect(entries).toHaveLength(1)
    const [entry] = entries
    const createdId = result.created[0]?.id
    expect(entry).toMatchObject({ collection: 'roles', actor: 'tester' })
    expect(entry?.recordIds).toEqual([editors.id, createdId, viewer.id, member.id])
    expect(entry?.before).toEqual({ role: { enforceTfa: false }, added: { [viewer.id]: { roleId: viewers.id, roleName: 'Viewer' } } })
    expect(entry?.after).toEqual({ role: { enforceTfa: true }, created: [createdId], added: [viewer.id], removed: [member.id] })
    expect(listActivity(store, listActivityInput.parse({ recordId: member.id })).rows[0]?.action).toBe('role.save')
  })

  it("keeps the name the moved member's role had then, through a later rename", () => {
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: editors.id, add: [viewer.id] }))
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: viewers.id, role: { name: 'Readers' } }))
    const [renamed, moved] = listActivity(store, listActivityInput.parse({ action: 'role.save' })).rows
    expect(renamed?.before).toEqual({ role: { name: 'Viewer' }, added: {} })
    expect(renamed?.after).toMatchObject({ role: { name: 'Readers' } })
    expect(moved?.before).toEqual({ role: {}, added: { [viewer.id]: { roleId: viewers.id, roleName: 'Viewer' } } })
  })

  it('writes nothing to the log when nothing changes', () => {
    const before = snapshot(store)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: editors.id, role: { name: 'Editor' }, add: [member.id] }))
    expect(snapshot(store)).toEqual(before)
  })
})

describe('a change set that cannot be applied changes nothing', () => {
  it('refuses the same address twice in the batch, ignoring case', () => {
    const error = refused(store, {
      roleId: editors.id,
      role: { name: 'Renamed' },
      create: [{ email: 'twin@example.org' }, { email: 'other@example.org' }, { email: 'TWIN@example.ORG' }],
      remove: [member.id]
    })
    expect(error.code).toBe('conflict')
    expect(error.fields).toEqual({ 'create.2.email': 'Used more than once in this batch' })
  })

  it('refuses an address another user already has', () => {
    const error = refused(store, { roleId: editors.id, create: [{ email: 'fresh@example.org' }, { email: 'Outsider@Example.org' }] })
    expect(error.code).toBe('conflict')
    expect(error.fields).toEqual({ 'create.1.email': 'Already used by another user' })
    expect(error.message).toMatch(/Outsider@Example\.org/)
  })

  it('refuses an invalid address and a password against the policy, naming each', () => {
    const error = refused(store, {
      roleId: editors.id,
      create: [{ email: 'fine@example.org', password: 'short' }, { email: 'not-an-address' }]
    })
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['create.0.password', 'create.1.email'])
    expect(error.code).toBe('password_policy')
  })

  it('refuses adding a user who no longer exists', () => {
    const error = refused(store, { roleId: editors.id, add: [outsider.id, UNKNOWN] })
    expect(error.code).toBe('not_found')
    expect(error.fields).toEqual({ 'add.1': 'This user no longer exists' })
  })

  it('refuses removing someone who is not a member, or who no longer exists', () => {
    const error = refused(store, { roleId: editors.id, remove: [member.id, viewer.id, UNKNOWN] })
    expect(error.fields).toEqual({ 'remove.1': 'Not a member of this role', 'remove.2': 'This user no longer exists' })
  })

  it('refuses a user staged both to add and to remove', () => {
    const error = refused(store, { roleId: editors.id, add: [member.id], remove: [member.id] })
    expect(error.code).toBe('validation')
    expect(error.fields).toHaveProperty(['add.0'])
  })

  it('refuses a role name another role has, and reports the other problems with it', () => {
    const error = refused(store, {
      roleId: editors.id,
      role: { name: 'VIEWER' },
      create: [{ email: 'member@EXAMPLE.org' }]
    })
    expect(error.code).toBe('conflict')
    expect(error.fields).toEqual({ 'role.name': 'Another role already has this name', 'create.0.email': 'Already used by another user' })
  })

  it('reports an unknown role', () => {
    expect(refused(store, { roleId: UNKNOWN, add: [member.id] }).code).toBe('not_found')
  })
})
