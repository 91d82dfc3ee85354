import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CallInput } from '../../src-main/ipc/contract'
import { listActivity } from '../../src-main/core/activity'
import type { RoleDetail, User, UserSortField } from '../../src-main/core/model'
import { verifyPassword } from '../../src-main/core/passwords'
import { createRole, updateRole } from '../../src-main/core/roles'
import { updateSettings } from '../../src-main/core/settings'
import type { Store } from '../../src-main/core/store'
import { countUsers, getUser, listUsers, TOTAL_CAP } from '../../src-main/core/user-directory'
import { loadUsers } from '../../src-main/core/user-rows'
import { bulkUpdateUsers, createUser, deleteUsers, updateUser } from '../../src-main/core/users'
import { failure, rejection } from '../helpers/domain'
import { openTestStore } from '../helpers/store'
import {
  acceptInviteInput,
  bulkUpdateUsersInput,
  createRoleInput,
  createUserInput,
  deleteUsersInput,
  listActivityInput,
  listInvitesInput,
  listUsersInput,
  updateRoleInput,
  updateSettingsInput,
  updateUserInput
} from '../../src-main/core/inputs'

function usersTable(store: Store): unknown {
  return store.sqlite.prepare('SELECT * FROM users ORDER BY id').all()
}

/** Every page of a listing, following the cursors. */
function allPages(store: Store, input: CallInput<'listUsers'>): User[][] {
  const pages: User[][] = []
  let after: string | undefined
  do {
    const page = listUsers(store, listUsersInput.parse({ ...input, ...(after !== undefined && { after }) }))
    pages.push(page.rows)
    after = page.nextCursor ?? undefined
  } while (after !== undefined && pages.length < 1000)
  return pages
}

let store: Store
let editors: RoleDetail
let admins: RoleDetail

beforeEach(async () => {
  store = await openTestStore()
  admins = createRole(store, createRoleInput.parse({ name: 'Administrator', adminAccess: true }))
  editors = createRole(store, createRoleInput.parse({ name: 'Editor' }))
  createUser(store, createUserInput.parse({ email: 'root@example.org', roleId: admins.id }))
})
afterEach(() => store.close())

describe('creating a user', () => {
  it('stores the address as typed, trimmed, and gives back the user with its role', () => {
    const user = createUser(
      store,
      createUserInput.parse({
        email: '  Ann.Smith@Example.ORG ',
        firstName: ' Ann ',
        lastName: 'Smith',
        roleId: editors.id,
        tags: ['berlin'],
        password: 'long enough password'
      })
    )
    expect(user).toMatchObject({
      email: 'Ann.Smith@Example.ORG',
      firstName: 'Ann',
      lastName: 'Smith',
      status: 'active',
      roleId: editors.id,
      roleName: 'Editor',
      hasPassword: true,
      tags: ['berlin'],
      lastChangedBy: 'tester'
    })
    expect(getUser(store, { id: user.id })).toEqual(user)
  })

  it('never stores the password in clear, and the hash verifies', () => {
    const user = createUser(store, createUserInput.parse({ email: 'pw@example.org', password: 'correct horse' }))
    const { password_hash: hash } = store.sqlite.prepare('SELECT password_hash FROM users WHERE id = ?').get(user.id) as {
      password_hash: string
    }
    expect(hash).not.toContain('correct horse')
    expect(verifyPassword('correct horse', hash)).toBe(true)
  })

  it('refuses an address that is already used, ignoring case and with an IDN domain', () => {
    createUser(store, createUserInput.parse({ email: 'kim@bücher.de' }))
    const before = usersTable(store)
    for (const email of ['KIM@BÜCHER.DE', 'kim@xn--bcher-kva.de']) {
      const error = failure(() => createUser(store, createUserInput.parse({ email })))
      expect(error.code).toBe('conflict')
      expect(error.fields).toEqual({ email: 'Already used by another user' })
    }
    expect(usersTable(store)).toEqual(before)
  })

  it('refuses an invalid address with the reason on the email field', () => {
    const error = failure(() => createUser(store, createUserInput.parse({ email: 'not an address' })))
    expect(error.code).toBe('validation')
    expect(error.fields?.email).toBeTruthy()
  })

  it('refuses a password the policy rejects, on the password field', () => {
    updateSettings(store, updateSettingsInput.parse({ passwordPolicy: { kind: 'strong' } }))
    const error = failure(() => createUser(store, createUserInput.parse({ email: 'weak@example.org', password: 'short' })))
    expect(error.code).toBe('password_policy')
    expect(Object.keys(error.fields ?? {})).toEqual(['password'])
    expect(listUsers(store, listUsersInput.parse({ filter: { search: 'weak' } })).rows).toEqual([])
  })

  it('refuses a role that does not exist', () => {
    const error = failure(() =>
      createUser(store, createUserInput.parse({ email: 'x@example.org', roleId: '00000000-0000-4000-8000-000000000000' }))
    )
    expect(error.code).toBe('not_found')
    expect(error.fields).toHaveProperty('roleId')
  })

  it('records the creation in the activity log with the actor', () => {
    const user = createUser(store, createUserInput.parse({ email: 'log@example.org' }))
    const [entry] = listActivity(store, listActivityInput.parse({ recordId: user.id })).rows
    expect(entry).toMatchObject({ action: 'user.create', collection: 'users', actor: 'tester', recordIds: [user.id] })
    expect(entry?.after).toMatchObject({ email: 'log@example.org' })
  })
})

describe('updating a user', () => {
  it('changes the fields given, keeps the others, and logs before and after', () => {
    const user = createUser(store, createUserInput.parse({ email: 'bo@example.org', firstName: 'Bo', title: 'Clerk' }))
    const updated = updateUser(store, updateUserInput.parse({ id: user.id, patch: { firstName: 'Bodil', roleId: editors.id } }))
    expect(updated).toMatchObject({ firstName: 'Bodil', title: 'Clerk', roleId: editors.id, roleName: 'Editor' })
    const [entry] = listActivity(store, listActivityInput.parse({ recordId: user.id, action: 'user.update' })).rows
    expect(entry?.before).toEqual({ firstName: 'Bo', roleId: null, roleName: null })
    expect(entry?.after).toEqual({ firstName: 'Bodil', roleId: editors.id, roleName: 'Editor' })
  })

  it('refuses an email another user has, ignoring case, but accepts a change of casing of its own', () => {
    const user = createUser(store, createUserInput.parse({ email: 'cy@example.org' }))
    const error = failure(() => updateUser(store, updateUserInput.parse({ id: user.id, patch: { email: 'ROOT@example.org' } })))
    expect(error.code).toBe('conflict')
    expect(error.fields).toEqual({ 'patch.email': 'Already used by another user' })
    expect(updateUser(store, updateUserInput.parse({ id: user.id, patch: { email: 'Cy@Example.org' } })).email).toBe('Cy@Example.org')
  })

  it('sets and removes a password under the policy', () => {
    const user = createUser(store, createUserInput.parse({ email: 'pw2@example.org' }))
    expect(failure(() => updateUser(store, updateUserInput.parse({ id: user.id, patch: { password: 'short' } }))).code).toBe(
      'password_policy'
    )
    expect(updateUser(store, updateUserInput.parse({ id: user.id, patch: { password: 'a good passphrase' } })).hasPassword).toBe(true)
    expect(updateUser(store, updateUserInput.parse({ id: user.id, patch: { password: null } })).hasPassword).toBe(false)
  })

  it('ends a pending invite when the status leaves invited', () => {
    const user = createUser(store, createUserInput.parse({ email: 'inv@example.org', status: 'invited' }))
    expect(user.invitedAt).not.toBeNull()
    const suspended = updateUser(store, updateUserInput.parse({ id: user.id, patch: { status: 'suspended' } }))
    expect(suspended).toMatchObject({ status: 'suspended', invitedAt: null, inviteExpiresAt: null })
  })

  it('reports an unknown user as not found', () => {
    const error = failure(() => updateUser(store, updateUserInput.parse({ id: '00000000-0000-4000-8000-000000000000', patch: {} })))
    expect(error.code).toBe('not_found')
  })
})

describe('bulk changes and deletion', () => {
  let people: User[]
  beforeEach(() => {
    people = ['a', 'b', 'c', 'd'].map((name) => createUser(store, createUserInput.parse({ email: `${name}@bulk.test` })))
  })

  it('assigns a role to the chosen users in one go and logs their previous roles', () => {
    const ids = people.slice(0, 3).map((user) => user.id)
    expect(bulkUpdateUsers(store, bulkUpdateUsersInput.parse({ selection: { ids }, patch: { roleId: editors.id } }))).toEqual({
      updated: 3
    })
    expect(loadUsers(store, ids).map((user) => user.roleName)).toEqual(['Editor', 'Editor', 'Editor'])
    expect(getUser(store, { id: people[3]?.id ?? '' }).roleId).toBeNull()
    const [entry] = listActivity(store, listActivityInput.parse({ action: 'user.bulk_update' })).rows
    expect(entry?.recordIds.sort()).toEqual([...ids].sort())
    expect(entry?.before).toEqual({ roleId: { null: expect.arrayContaining(ids) }, roleNames: {} })
    expect(entry?.after).toEqual({ roleId: editors.id, roleName: 'Editor' })
  })

  it('logs the names the roles had when users were moved or deleted, not their names today', () => {
    const ids = people.slice(0, 2).map((user) => user.id)
    const first = people[0]?.id ?? ''
    bulkUpdateUsers(store, bulkUpdateUsersInput.parse({ selection: { ids }, patch: { roleId: editors.id } }))
    bulkUpdateUsers(store, bulkUpdateUsersInput.parse({ selection: { ids: [first] }, patch: { roleId: null } }))
    deleteUsers(store, deleteUsersInput.parse({ selection: { ids: [people[1]?.id ?? ''] } }))
    updateRole(store, updateRoleInput.parse({ id: editors.id, patch: { name: 'Writers' } }))
    const [removed, assigned] = listActivity(store, listActivityInput.parse({ action: 'user.bulk_update' })).rows
    expect(assigned?.after).toEqual({ roleId: editors.id, roleName: 'Editor' })
    expect(removed?.before).toEqual({ roleId: { [editors.id]: [first] }, roleNames: { [editors.id]: 'Editor' } })
    expect(removed?.after).toEqual({ roleId: null, roleName: null })
    const [deleted] = listActivity(store, listActivityInput.parse({ action: 'user.delete' })).rows
    expect(deleted?.before).toMatchObject({ users: [{ roleId: editors.id, roleName: 'Editor' }] })
  })

  it('sets the status of every user a filter selects', () => {
    const result = bulkUpdateUsers(
      store,
      bulkUpdateUsersInput.parse({ selection: { filter: { search: 'bulk.test' } }, patch: { status: 'archived' } })
    )
    expect(result.updated).toBe(4)
    expect(countUsers(store).byStatus.archived).toBe(4)
  })

  it('changes nothing when one chosen id does not exist', () => {
    const before = usersTable(store)
    const error = failure(() =>
      bulkUpdateUsers(
        store,
        bulkUpdateUsersInput.parse({
          selection: { ids: [people[0]?.id ?? '', '00000000-0000-4000-8000-000000000000'] },
          patch: { status: 'suspended' }
        })
      )
    )
    expect(error.code).toBe('not_found')
    expect(error.fields).toHaveProperty(['selection.ids.1'])
    expect(usersTable(store)).toEqual(before)
  })

  it('deletes the chosen users and keeps a snapshot of them in the log', () => {
    const ids = people.slice(0, 2).map((user) => user.id)
    expect(deleteUsers(store, deleteUsersInput.parse({ selection: { ids } }))).toEqual({ deleted: 2 })
    expect(loadUsers(store, ids)).toEqual([])
    const [entry] = listActivity(store, listActivityInput.parse({ action: 'user.delete' })).rows
    expect(entry?.recordIds.sort()).toEqual([...ids].sort())
    expect(entry?.before).toMatchObject({ count: 2 })
    const snapshot = (entry?.before as { users: Array<{ email: string }> }).users.map((user) => user.email).sort()
    expect(snapshot).toEqual(['a@bulk.test', 'b@bulk.test'])
  })
})

describe('listing users', () => {
  const names = ['Zoe Adams', 'anna berg', 'Anna Berg', 'Émile Côté', 'bob', 'Carl Dorn', 'anna berg']
  let seeded: User[]
  beforeEach(() => {
    seeded = names.map((name, index) => {
      const [firstName, lastName] = name.split(' ')
      return createUser(
        store,
        createUserInput.parse({
          email: `person${index}@list.test`,
          firstName: firstName ?? null,
          lastName: lastName ?? null,
          status: index % 3 === 0 ? 'invited' : 'active',
          roleId: index % 2 === 0 ? editors.id : null
        })
      )
    })
  })

  it('walks every user exactly once across pages, in a stable order with ties broken by id', () => {
    for (const field of ['name', 'email', 'role', 'status', 'createdAt', 'inviteExpiresAt'] satisfies UserSortField[]) {
      for (const direction of ['asc', 'desc'] as const) {
        const pages = allPages(store, { sort: { field, direction }, limit: 2 })
        const ids = pages.flat().map((user) => user.id)
        expect(new Set(ids).size, `${field} ${direction}`).toBe(8)
        expect(ids.length, `${field} ${direction}`).toBe(8)
        const again = allPages(store, { sort: { field, direction }, limit: 3 })
          .flat()
          .map((user) => user.id)
        expect(again, `${field} ${direction}`).toEqual(ids)
      }
    }
  })

  it('sorts by name ignoring case, descending as the exact reverse', () => {
    const ascending = allPages(store, { limit: 3 }).flat()
    expect(
      ascending.map((user) =>
        (user.firstName ? `${user.firstName} ${user.lastName ?? ''}`.trim() : user.email).replace('Anna Berg', 'anna berg')
      )
    ).toEqual(['anna berg', 'anna berg', 'anna berg', 'bob', 'Carl Dorn', 'root@example.org', 'Zoe Adams', 'Émile Côté'])
    const twins = seeded
      .filter((user) => user.firstName?.toLowerCase() === 'anna')
      .map((user) => user.id)
      .sort()
    expect(ascending.slice(0, 3).map((user) => user.id)).toEqual(twins)
    const descending = allPages(store, { sort: { field: 'name', direction: 'desc' }, limit: 3 }).flat()
    expect(descending.map((user) => user.id)).toEqual(ascending.map((user) => user.id).reverse())
  })

  it('puts users without an invite expiry last, and sorts the others by it', () => {
    store.sqlite
      .prepare("UPDATE users SET invite_expires_at = '2030-01-0' || (rowid % 5) || 'T00:00:00.000Z' WHERE status = 'invited'")
      .run()
    const rows = allPages(store, { sort: { field: 'inviteExpiresAt', direction: 'asc' }, limit: 2 }).flat()
    const expiries = rows.map((user) => user.inviteExpiresAt)
    const set = expiries.filter((value) => value !== null)
    expect(set.length).toBe(3)
    expect(expiries.slice(0, 3)).toEqual([...set].sort())
    expect(expiries.slice(3).every((value) => value === null)).toBe(true)
  })

  it('filters by role, by no role, by status and by not being in a role', () => {
    const emails = (filter: CallInput<'listUsers'>['filter']): string[] =>
      allPages(store, { filter, sort: { field: 'email' } })
        .flat()
        .map((user) => user.email)
    expect(emails({ roleId: editors.id })).toEqual(['person0@list.test', 'person2@list.test', 'person4@list.test', 'person6@list.test'])
    expect(emails({ roleId: null })).toEqual(['person1@list.test', 'person3@list.test', 'person5@list.test'])
    expect(emails({ status: ['invited'] })).toEqual(['person0@list.test', 'person3@list.test', 'person6@list.test'])
    expect(emails({ status: ['invited', 'active'], roleId: null })).toEqual(['person1@list.test', 'person3@list.test', 'person5@list.test'])
    expect(emails({ notInRoleId: editors.id })).toEqual(['person1@list.test', 'person3@list.test', 'person5@list.test', 'root@example.org'])
  })

  it('gives the total of the whole filter, not of the page', () => {
    const page = listUsers(store, listUsersInput.parse({ filter: { roleId: editors.id }, limit: 1 }))
    expect(page).toMatchObject({ total: 4, totalCapped: false })
    expect(page.rows).toHaveLength(1)
    expect(listUsers(store, listUsersInput.parse({ filter: { notInRoleId: editors.id, status: ['active'] } })).total).toBe(3)
    expect(listUsers(store, listUsersInput.parse({ filter: { search: 'anna' } })).total).toBe(3)
  })

  it('finds a substring of the email or the name, ignoring case, from three characters', () => {
    const found = (search: string): string[] =>
      listUsers(store, listUsersInput.parse({ filter: { search }, sort: { field: 'email' } })).rows.map((user) => user.email)
    expect(found('NNA')).toEqual(['person1@list.test', 'person2@list.test', 'person6@list.test'])
    expect(found('son5@')).toEqual(['person5@list.test'])
    expect(found('côt')).toEqual(['person3@list.test'])
    expect(found('anna "berg')).toEqual([])
    expect(found('ann be')).toEqual(['person1@list.test', 'person2@list.test', 'person6@list.test'])
    expect(found('ann do')).toEqual([])
  })

  it('matches one or two characters anywhere in the email or the name, by the same rule as longer searches', () => {
    const found = (search: string, roleId?: string): string[] =>
      listUsers(store, listUsersInput.parse({ filter: { search, ...(roleId && { roleId }) }, sort: { field: 'email' } })).rows.map(
        (user) => user.email
      )
    expect(found('Bo')).toEqual(['person4@list.test'])
    expect(found('ca')).toEqual(['person5@list.test'])
    // Inside a word too: "rg" ends "berg" and ".org", "ôt" is inside "Côté".
    expect(found('rg')).toEqual(['person1@list.test', 'person2@list.test', 'person6@list.test', 'root@example.org'])
    expect(found('RG')).toEqual(found('rg'))
    expect(found('ôt')).toEqual(['person3@list.test'])
    expect(found('r')).toHaveLength(8)
    expect(found('an', editors.id)).toEqual(['person2@list.test', 'person6@list.test'])
    expect(found('É')).toEqual(['person3@list.test'])
    expect(found('qz')).toEqual([])
    // A short word narrows a long one, wherever it is.
    expect(found('anna rg')).toEqual(['person1@list.test', 'person2@list.test', 'person6@list.test'])
    expect(found('anna zo')).toEqual([])
  })

  it('counts a search’s matches up to the cap, and says when there are more', () => {
    expect(TOTAL_CAP).toBe(1000)
    const page = listUsers(store, listUsersInput.parse({ filter: { search: 'list.test' }, limit: 2 }))
    expect(page).toMatchObject({ total: 7, totalCapped: false })
    const rows = Array.from({ length: TOTAL_CAP + 5 }, (_, index) => [`cap${index}@many.test`, `Many${index}`])
    const insert = store.sqlite.prepare(
      `INSERT INTO users (id, email, email_key, first_name, status, created_at, updated_at) VALUES (lower(hex(randomblob(16))), ?, ?, ?, 'active', '2026-01-01', '2026-01-01')`
    )
    store.transaction(() => rows.forEach(([email, first]) => insert.run(email, email, first)))
    for (const search of ['many', 'ny', 'y']) {
      expect(listUsers(store, listUsersInput.parse({ filter: { search }, limit: 5 })), search).toMatchObject({
        total: TOTAL_CAP,
        totalCapped: true
      })
    }
    expect(listUsers(store, listUsersInput.parse({ filter: { search: 'many', roleId: null }, limit: 5 }))).toMatchObject({
      total: TOTAL_CAP,
      totalCapped: true
    })
  })

  it('reads a role’s members in name order straight from the index, without sorting them', () => {
    const statements: string[] = []
    const spied: Store = {
      ...store,
      prepare: (text) => {
        statements.push(text)
        return store.prepare(text)
      }
    }
    const first = listUsers(spied, listUsersInput.parse({ filter: { roleId: editors.id }, limit: 2 }))
    listUsers(spied, listUsersInput.parse({ filter: { roleId: editors.id }, limit: 2, after: first.nextCursor ?? '' }))
    const pages = statements.filter((text) => text.includes('ORDER BY'))
    expect(pages).toHaveLength(2)
    for (const text of pages) {
      const parameters = (text.match(/\?/g) ?? []).map(() => null)
      const plan = (store.sqlite.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...parameters) as Array<{ detail: string }>)
        .map((step) => step.detail)
        .join('\n')
      expect(plan).toContain('USING INDEX users_role_name')
      expect(plan).not.toContain('TEMP B-TREE')
    }
  })

  it('refuses a cursor that was not made by the list', () => {
    const error = failure(() => listUsers(store, listUsersInput.parse({ after: 'garbage' })))
    expect(error.code).toBe('validation')
  })

  it('counts users per status, per role and without a role', () => {
    expect(countUsers(store)).toEqual({
      all: 8,
      byStatus: { draft: 0, invited: 3, active: 5, suspended: 0, archived: 0 },
      noRole: 3,
      byRole: { [admins.id]: 1, [editors.id]: 4 }
    })
  })
})

describe('users who enter invited by any path get a working invite', () => {
  it('on create, on a single status change and on a bulk status change', async () => {
    const { acceptInvite, getInviteLink, listInvites } = await import('../../src-main/core/invites')
    const created = createUser(store, createUserInput.parse({ email: 'new@example.org', status: 'invited', roleId: editors.id }))
    expect(created.inviteExpiresAt).not.toBeNull()
    const draft = createUser(store, createUserInput.parse({ email: 'draft@example.org', status: 'draft' }))
    updateUser(store, updateUserInput.parse({ id: draft.id, patch: { status: 'invited' } }))
    const bulk = ['b1@example.org', 'b2@example.org'].map(
      (email) => createUser(store, createUserInput.parse({ email, status: 'suspended' })).id
    )
    bulkUpdateUsers(store, bulkUpdateUsersInput.parse({ selection: { ids: bulk }, patch: { status: 'invited' } }))

    const links = await Promise.all([created.id, draft.id, ...bulk].map(async (id) => (await getInviteLink(store, { userId: id })).token))
    expect(new Set(links).size).toBe(4)
    expect((await listInvites(store, listInvitesInput.parse({}))).rows).toHaveLength(4)

    const [first] = bulk
    await acceptInvite(store, acceptInviteInput.parse({ token: links[2] ?? '', password: 'correct horse battery' }))
    expect(getUser(store, { id: first ?? '' }).status).toBe('active')

    // Leaving `invited` by hand kills the link.
    updateUser(store, updateUserInput.parse({ id: created.id, patch: { status: 'draft' } }))
    expect(
      (await rejection(() => acceptInvite(store, acceptInviteInput.parse({ token: links[0] ?? '', password: 'correct horse battery' }))))
        .code
    ).toBe('invite_invalid')
  })
})

describe('the search index follows edits', () => {
  it('finds a user by the new name after a rename, not by the old one, and survives a same-value write', () => {
    const user = createUser(store, createUserInput.parse({ email: 'quinn@example.org', firstName: 'Quinn', lastName: 'Abernathy' }))
    const found = (search: string): string[] => listUsers(store, listUsersInput.parse({ filter: { search } })).rows.map((row) => row.email)
    expect(found('Abernathy')).toEqual(['quinn@example.org'])
    updateUser(store, updateUserInput.parse({ id: user.id, patch: { lastName: 'Zebulon' } }))
    expect(found('Abernathy')).toEqual([])
    expect(found('Zebulon')).toEqual(['quinn@example.org'])
    // A write of the same values leaves the index as it was (and still consistent).
    store.sqlite.prepare('UPDATE users SET first_name = first_name, last_name = last_name WHERE id = ?').run(user.id)
    expect(found('Zebulon')).toEqual(['quinn@example.org'])
    // FTS5's integrity check throws when the index and the users table disagree.
    expect(() => store.sqlite.prepare("INSERT INTO users_search (users_search, rank) VALUES ('integrity-check', 1)").run()).not.toThrow()
  })
})
