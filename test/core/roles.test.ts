import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listActivity } from '../../src-main/core/activity'
import type { RoleDetail } from '../../src-main/core/model'
import { createRole, deleteRole, findRoleByName, getRole, listRoles, updateRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { getUser, listUsers } from '../../src-main/core/user-directory'
import { createUser } from '../../src-main/core/users'
import { failure } from '../helpers/domain'
import { openTestStore } from '../helpers/store'
import {
  createRoleInput,
  createUserInput,
  deleteRoleInput,
  listActivityInput,
  listUsersInput,
  updateRoleInput
} from '../../src-main/core/inputs'

function tables(store: Store): unknown {
  return {
    users: store.sqlite.prepare('SELECT * FROM users ORDER BY id').all(),
    roles: store.sqlite.prepare('SELECT * FROM roles ORDER BY id').all()
  }
}

const UNKNOWN = '00000000-0000-4000-8000-000000000000'

let store: Store
let editors: RoleDetail

beforeEach(async () => {
  store = await openTestStore()
  editors = createRole(store, createRoleInput.parse({ name: 'Editor' }))
})
afterEach(() => store.close())

describe('creating a role', () => {
  it('applies the defaults of the product: icon, app access on, admin access and 2FA off', () => {
    expect(editors).toMatchObject({
      name: 'Editor',
      icon: 'supervised_user_circle',
      description: null,
      adminAccess: false,
      appAccess: true,
      ipAccess: [],
      enforceTfa: false,
      memberCount: 0,
      pendingInviteCount: 0
    })
    expect(editors.createdAt).toBe(editors.updatedAt)
  })

  it('keeps every field given, with the name trimmed', () => {
    const role = createRole(
      store,
      createRoleInput.parse({
        name: '  Auditors ',
        icon: 'policy',
        description: 'Read-only access',
        adminAccess: true,
        appAccess: false,
        ipAccess: ['10.0.0.0/8', '2001:db8::1'],
        enforceTfa: true
      })
    )
    expect(getRole(store, { id: role.id })).toMatchObject({
      name: 'Auditors',
      icon: 'policy',
      description: 'Read-only access',
      adminAccess: true,
      appAccess: false,
      ipAccess: ['10.0.0.0/8', '2001:db8::1'],
      enforceTfa: true
    })
  })

  it('refuses a name already taken, ignoring case, on the name field', () => {
    const error = failure(() => createRole(store, createRoleInput.parse({ name: ' EDITOR ' })))
    expect(error.code).toBe('conflict')
    expect(Object.keys(error.fields ?? {})).toEqual(['name'])
    expect(listRoles(store, {}).roles).toHaveLength(1)
  })

  it('is recorded in the activity log', () => {
    const [entry] = listActivity(store, listActivityInput.parse({ recordId: editors.id })).rows
    expect(entry).toMatchObject({ action: 'role.create', collection: 'roles', actor: 'tester', recordIds: [editors.id] })
    expect(entry?.after).toMatchObject({ name: 'Editor' })
  })
})

describe('the roles overview', () => {
  it('lists Public (users without a role) and every role with its member count, by name', () => {
    const admins = createRole(store, createRoleInput.parse({ name: 'administrator', adminAccess: true }))
    createUser(store, createUserInput.parse({ email: 'a@example.org', roleId: admins.id }))
    createUser(store, createUserInput.parse({ email: 'b@example.org', roleId: editors.id }))
    createUser(store, createUserInput.parse({ email: 'c@example.org', roleId: editors.id, status: 'invited' }))
    createUser(store, createUserInput.parse({ email: 'd@example.org' }))
    const overview = listRoles(store, {})
    expect(overview.public).toEqual({ memberCount: 1 })
    expect(overview.roles.map((role) => [role.name, role.memberCount])).toEqual([
      ['administrator', 1],
      ['Editor', 2]
    ])
    expect(getRole(store, { id: editors.id })).toMatchObject({ memberCount: 2, pendingInviteCount: 1 })
  })

  it('searches role names ignoring case, taking % and _ literally', () => {
    createRole(store, createRoleInput.parse({ name: 'Sales_EU' }))
    createRole(store, createRoleInput.parse({ name: 'Sales 100%' }))
    const names = (search: string): string[] => listRoles(store, { search }).roles.map((role) => role.name)
    expect(names('sales')).toEqual(['Sales 100%', 'Sales_EU'])
    expect(names('_')).toEqual(['Sales_EU'])
    expect(names('%')).toEqual(['Sales 100%'])
    expect(names('dit')).toEqual(['Editor'])
    expect(findRoleByName(store, 'sales_eu')?.name).toBe('Sales_EU')
  })

  it('reports an unknown role as not found', () => {
    expect(failure(() => getRole(store, { id: UNKNOWN })).code).toBe('not_found')
  })
})

describe('updating a role', () => {
  it('changes the fields given and logs only what changed', () => {
    const updated = updateRole(store, updateRoleInput.parse({ id: editors.id, patch: { description: 'Writes', enforceTfa: true } }))
    expect(updated).toMatchObject({ name: 'Editor', description: 'Writes', enforceTfa: true })
    const [entry] = listActivity(store, listActivityInput.parse({ action: 'role.update' })).rows
    expect(entry?.before).toEqual({ description: null, enforceTfa: false })
    expect(entry?.after).toEqual({ description: 'Writes', enforceTfa: true })
  })

  it('allows a change of casing of its own name but not another role’s name', () => {
    createRole(store, createRoleInput.parse({ name: 'Viewer' }))
    expect(updateRole(store, updateRoleInput.parse({ id: editors.id, patch: { name: 'EDITOR' } })).name).toBe('EDITOR')
    const error = failure(() => updateRole(store, updateRoleInput.parse({ id: editors.id, patch: { name: 'viewer' } })))
    expect(error.code).toBe('conflict')
    expect(Object.keys(error.fields ?? {})).toEqual(['patch.name'])
  })
})

describe('deleting a role', () => {
  it('moves the members to the chosen role, keeping their status', () => {
    const viewers = createRole(store, createRoleInput.parse({ name: 'Viewer' }))
    const ann = createUser(store, createUserInput.parse({ email: 'ann@example.org', roleId: editors.id, status: 'invited' }))
    const bo = createUser(store, createUserInput.parse({ email: 'bo@example.org', roleId: editors.id }))
    expect(deleteRole(store, deleteRoleInput.parse({ id: editors.id, moveMembersTo: viewers.id }))).toEqual({ affected: 2 })
    expect(getUser(store, { id: ann.id })).toMatchObject({ roleId: viewers.id, status: 'invited' })
    expect(getUser(store, { id: bo.id })).toMatchObject({ roleId: viewers.id, status: 'active' })
    expect(listRoles(store, {}).roles.map((role) => role.name)).toEqual(['Viewer'])
  })

  it('without a target, makes the members Public and suspended', () => {
    const ann = createUser(store, createUserInput.parse({ email: 'ann@example.org', roleId: editors.id, status: 'invited' }))
    createUser(store, createUserInput.parse({ email: 'bo@example.org', roleId: editors.id }))
    expect(deleteRole(store, deleteRoleInput.parse({ id: editors.id, moveMembersTo: null }))).toEqual({ affected: 2 })
    expect(getUser(store, { id: ann.id })).toMatchObject({ roleId: null, roleName: null, status: 'suspended', invitedAt: null })
    const publicUsers = listUsers(store, listUsersInput.parse({ filter: { roleId: null } }))
    expect(publicUsers.rows.map((user) => user.status)).toEqual(['suspended', 'suspended'])
    expect(listRoles(store, {}).public.memberCount).toBe(2)
    const [entry] = listActivity(store, listActivityInput.parse({ action: 'role.delete' })).rows
    expect(entry?.recordIds).toHaveLength(3)
    expect(entry?.summary).toMatch(/2 member\(s\) became Public and suspended/)
    expect(entry?.after).toEqual({ roleId: null, roleName: null, status: 'suspended' })
  })

  it('refuses moving the members into the role itself or into an unknown role, changing nothing', () => {
    createUser(store, createUserInput.parse({ email: 'ann@example.org', roleId: editors.id }))
    const before = tables(store)
    const itself = failure(() => deleteRole(store, deleteRoleInput.parse({ id: editors.id, moveMembersTo: editors.id })))
    expect(itself.code).toBe('validation')
    expect(itself.fields).toHaveProperty('moveMembersTo')
    const unknown = failure(() => deleteRole(store, deleteRoleInput.parse({ id: editors.id, moveMembersTo: UNKNOWN })))
    expect(unknown.code).toBe('not_found')
    expect(unknown.fields).toHaveProperty('moveMembersTo')
    expect(failure(() => deleteRole(store, deleteRoleInput.parse({ id: UNKNOWN, moveMembersTo: null }))).code).toBe('not_found')
    expect(tables(store)).toEqual(before)
  })
})
