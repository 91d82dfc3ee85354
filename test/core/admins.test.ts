import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { countActiveAdmins } from '../../src-main/core/admins'
import { saveRoleChanges } from '../../src-main/core/changeset'
import { DomainError } from '../../src-main/core/errors'
import type { RoleDetail, User } from '../../src-main/core/model'
import { createRole, deleteRole, updateRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { bulkUpdateUsers, createUser, deleteUsers, updateUser } from '../../src-main/core/users'
import { failure, snapshot } from '../helpers/domain'
import { openTestStore } from '../helpers/store'
import {
  bulkUpdateUsersInput,
  createRoleInput,
  createUserInput,
  deleteRoleInput,
  deleteUsersInput,
  saveRoleChangesInput,
  updateRoleInput,
  updateUserInput
} from '../../src-main/core/inputs'

/** Asserts the operation is refused by the last-admin rule and changes nothing. */
function expectRefused(store: Store, run: () => unknown, field: string): void {
  const before = snapshot(store)
  const error = failure(run)
  expect(error.code).toBe('last_admin')
  expect(error.message).toMatch(/no active administrator/)
  expect(Object.keys(error.fields ?? {})).toContain(field)
  expect(snapshot(store)).toEqual(before)
}

let store: Store
let admins: RoleDetail
let editors: RoleDetail
let boss: User
let helper: User

beforeEach(async () => {
  store = await openTestStore()
  admins = createRole(store, createRoleInput.parse({ name: 'Administrator', adminAccess: true }))
  editors = createRole(store, createRoleInput.parse({ name: 'Editor' }))
  boss = createUser(store, createUserInput.parse({ email: 'boss@example.org', roleId: admins.id }))
  helper = createUser(store, createUserInput.parse({ email: 'helper@example.org', roleId: editors.id }))
})
afterEach(() => store.close())

describe('counting active administrators', () => {
  it('counts only active users in roles with admin access', () => {
    expect(countActiveAdmins(store)).toBe(1)
    createUser(store, createUserInput.parse({ email: 'pending@example.org', roleId: admins.id, status: 'invited' }))
    createUser(store, createUserInput.parse({ email: 'nobody@example.org', status: 'active' }))
    expect(countActiveAdmins(store)).toBe(1)
    createUser(store, createUserInput.parse({ email: 'second@example.org', roleId: admins.id }))
    expect(countActiveAdmins(store)).toBe(2)
  })
})

describe('the last active administrator cannot be lost', () => {
  it('through a status change of the user', () => {
    expectRefused(store, () => updateUser(store, updateUserInput.parse({ id: boss.id, patch: { status: 'suspended' } })), 'patch.status')
  })

  it('through moving the user to a role without admin access, or to Public', () => {
    expectRefused(store, () => updateUser(store, updateUserInput.parse({ id: boss.id, patch: { roleId: editors.id } })), 'patch.roleId')
    expectRefused(store, () => updateUser(store, updateUserInput.parse({ id: boss.id, patch: { roleId: null } })), 'patch.roleId')
  })

  it('through a bulk role change, applying none of it', () => {
    expectRefused(
      store,
      () => bulkUpdateUsers(store, bulkUpdateUsersInput.parse({ selection: { ids: [helper.id, boss.id] }, patch: { roleId: null } })),
      'patch.roleId'
    )
  })

  it('through a bulk status change by filter, applying none of it', () => {
    expectRefused(
      store,
      () =>
        bulkUpdateUsers(
          store,
          bulkUpdateUsersInput.parse({ selection: { filter: { status: ['active'] } }, patch: { status: 'archived' } })
        ),
      'patch.status'
    )
  })

  it('through deleting users, by id or by filter', () => {
    expectRefused(store, () => deleteUsers(store, deleteUsersInput.parse({ selection: { ids: [boss.id] } })), 'selection')
    expectRefused(store, () => deleteUsers(store, deleteUsersInput.parse({ selection: { filter: {} } })), 'selection')
  })

  it('through deleting the administrators role, with or without moving its members', () => {
    expectRefused(store, () => deleteRole(store, deleteRoleInput.parse({ id: admins.id, moveMembersTo: null })), 'id')
    expectRefused(store, () => deleteRole(store, deleteRoleInput.parse({ id: admins.id, moveMembersTo: editors.id })), 'moveMembersTo')
  })

  it('through turning admin access off on the role', () => {
    expectRefused(
      store,
      () => updateRole(store, updateRoleInput.parse({ id: admins.id, patch: { adminAccess: false } })),
      'patch.adminAccess'
    )
  })

  it('through a role change set that removes the member, moves them away or turns admin access off', () => {
    expectRefused(store, () => saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: admins.id, remove: [boss.id] })), 'remove.0')
    expectRefused(
      store,
      () => saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: editors.id, add: [helper.id, boss.id] })),
      'add.1'
    )
    expectRefused(
      store,
      () => saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: admins.id, role: { adminAccess: false, name: 'Former admins' } })),
      'role.adminAccess'
    )
  })
})

describe('the rule allows what leaves an administrator', () => {
  it('lets the last one go when another active administrator remains, in any admin role', () => {
    const owners = createRole(store, createRoleInput.parse({ name: 'Owner', adminAccess: true }))
    const owner = createUser(store, createUserInput.parse({ email: 'owner@example.org', roleId: owners.id }))
    expect(updateUser(store, updateUserInput.parse({ id: boss.id, patch: { status: 'suspended' } })).status).toBe('suspended')
    expect(deleteRole(store, deleteRoleInput.parse({ id: admins.id, moveMembersTo: null })).affected).toBe(1)
    expect(countActiveAdmins(store)).toBe(1)
    expect(() => deleteUsers(store, deleteUsersInput.parse({ selection: { ids: [owner.id] } }))).toThrow(DomainError)
  })

  it('checks a change set on its result: removing the last admin while creating a new one is allowed', () => {
    const result = saveRoleChanges(
      store,
      saveRoleChangesInput.parse({ roleId: admins.id, remove: [boss.id], create: [{ email: 'successor@example.org' }] })
    )
    expect(result.removed).toBe(1)
    expect(result.created.map((user) => user.email)).toEqual(['successor@example.org'])
    expect(countActiveAdmins(store)).toBe(1)
  })

  it('is not enforced when there was no active administrator before', async () => {
    const bare = await openTestStore()
    try {
      const owners = createRole(bare, createRoleInput.parse({ name: 'Owner', adminAccess: true }))
      const pending = createUser(bare, createUserInput.parse({ email: 'pending@example.org', roleId: owners.id, status: 'invited' }))
      const idle = createUser(bare, createUserInput.parse({ email: 'idle@example.org', roleId: owners.id, status: 'suspended' }))
      expect(countActiveAdmins(bare)).toBe(0)

      expect(updateUser(bare, updateUserInput.parse({ id: pending.id, patch: { status: 'draft' } })).status).toBe('draft')
      expect(updateRole(bare, updateRoleInput.parse({ id: owners.id, patch: { adminAccess: false } })).adminAccess).toBe(false)
      expect(saveRoleChanges(bare, saveRoleChangesInput.parse({ roleId: owners.id, remove: [idle.id] })).removed).toBe(1)
      expect(deleteRole(bare, deleteRoleInput.parse({ id: owners.id, moveMembersTo: null })).affected).toBe(1)
      expect(deleteUsers(bare, deleteUsersInput.parse({ selection: { filter: {} } })).deleted).toBe(2)
    } finally {
      bare.close()
    }
  })
})
