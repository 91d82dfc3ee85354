/**
 * A change set writes each moved member's role alone, and the role-ordered indexes catch up
 * afterwards (role-index.ts). Until they have, every read of a role must answer exactly as it
 * will once they have: these tests take each answer while the index trails, settle it, and ask
 * again. The directory has a role large enough to be walked (over 20,000 members of 22,600) and small
 * ones that are read whole.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveRoleChanges } from '../../src-main/core/changeset'
import { exportToString } from '../../src-main/core/export'
import {
  createRoleInput,
  deleteRoleInput,
  listInvitesInput,
  listUsersInput,
  saveRoleChangesInput,
  bulkUpdateUsersInput
} from '../../src-main/core/inputs'
import { listInvites } from '../../src-main/core/invites'
import { USER_SORT_FIELDS } from '../../src-main/core/model'
import {
  catchUpRoleIndex,
  FOLD_SLICE,
  foldRoleIndex,
  roleIndexTrails,
  settleRoleIndex,
  TRAILING,
  trailingCount
} from '../../src-main/core/role-index'
import { createRole, deleteRole, getRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { getUser, listUsers } from '../../src-main/core/user-directory'
import { bulkUpdateUsers } from '../../src-main/core/users'
import { openTestStore } from '../helpers/store'

const FIRST = ['Ada', 'Olga', 'Olga', 'Bo', 'Émile', 'Lucía', 'Omar', 'Tomás', 'Zoë', 'Kai']
const LAST = ['Santos', 'Novak', 'Kim', 'Müller', 'Wu', 'Quinn']
const STATUSES = ['active', 'invited', 'active', 'suspended', 'draft', 'invited', 'archived']

let store: Store
const roles: Record<'big' | 'small' | 'other', string> = { big: '', small: '', other: '' }
/** Users by role as first inserted, in insertion order. */
const members: Record<'big' | 'small' | 'other' | 'none', string[]> = { big: [], small: [], other: [], none: [] }

beforeAll(async () => {
  store = await openTestStore()
  roles.big = createRole(store, createRoleInput.parse({ name: 'Big' })).id
  roles.small = createRole(store, createRoleInput.parse({ name: 'Small' })).id
  roles.other = createRole(store, createRoleInput.parse({ name: 'Other' })).id
  const insert = store.sqlite.prepare(
    `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, indexed_role_id,
       invited_at, invite_expires_at, invite_nonce, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  store.transaction(() => {
    for (let index = 0; index < 22_600; index++) {
      const group = index < 21_000 ? 'big' : index < 21_400 ? 'small' : index < 22_200 ? 'other' : 'none'
      const role = group === 'none' ? null : roles[group]
      const first = FIRST[(index * 7) % FIRST.length] ?? 'Ada'
      const last = LAST[(index * 5) % LAST.length] ?? 'Kim'
      const status = STATUSES[index % STATUSES.length] ?? 'active'
      const invited = status === 'invited'
      const id = randomUUID()
      const email = `${first.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()}.${index.toString(36)}@example.org`
      const created = new Date(Date.UTC(2026, 0, 1) + ((index * 7919) % 22_600) * 60_000).toISOString()
      const expires = invited ? new Date(Date.UTC(2026, 11, 1) + (index % 500) * 3_600_000).toISOString() : null
      const unnamed = index % 53 === 0
      insert.run(
        id,
        email,
        email,
        unnamed ? null : first,
        unnamed ? null : last,
        status,
        role,
        role,
        invited ? created : null,
        expires,
        invited ? `nonce-${index}` : null,
        created,
        created
      )
      members[group].push(id)
    }
  })
  expect(roleIndexTrails(store)).toBe(false)
})

afterAll(() => store.close())

/** Moves members by change sets, as the role page saves them: into and out of every role. */
function moveMembers(): void {
  const save = (roleId: string, add: string[], remove: string[]): void => {
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId, add, remove }))
  }
  // Into the small role from the big one and the other one; some of its own out to no role.
  save(roles.small, [...members.big.slice(0, 250), ...members.other.slice(0, 40)], members.small.slice(0, 90))
  // Into the big role from the other one and from no role; some of its own out.
  save(roles.big, [...members.other.slice(100, 300), ...members.none.slice(0, 60)], members.big.slice(5000, 5150))
}

type Listing = { ids: string[]; total: number; capped: boolean }

/** The first pages of a listing (enough to cross page boundaries), and its total. */
function listing(roleId: string | null, field: (typeof USER_SORT_FIELDS)[number], descending: boolean, search?: string): Listing {
  const ids: string[] = []
  let after: string | undefined
  let first: { total: number; capped: boolean } | null = null
  for (let page = 0; page < 3; page++) {
    const result = listUsers(
      store,
      listUsersInput.parse({
        filter: { roleId, ...(search === undefined ? {} : { search }) },
        sort: { field, direction: descending ? 'desc' : 'asc' },
        limit: 40,
        ...(after === undefined ? {} : { after })
      })
    )
    first ??= { total: result.total, capped: result.totalCapped }
    ids.push(...result.rows.map((row) => row.id))
    if (result.nextCursor === null) break
    after = result.nextCursor
  }
  return { ids, total: first?.total ?? 0, capped: first?.capped ?? false }
}

function allInvites(roleId: string | null): Promise<string[]> {
  const walk = async (after: string | undefined, found: string[]): Promise<string[]> => {
    const page = await listInvites(store, listInvitesInput.parse({ roleId, limit: 500, ...(after === undefined ? {} : { after }) }))
    found.push(...page.rows.map((row) => row.userId))
    return page.nextCursor === null ? found : walk(page.nextCursor, found)
  }
  return walk(undefined, [])
}

const SEARCHES = [undefined, 'o', 'ol', 'olga', 'santos ol', 'tomás', 'example', 'zzz']

describe('while the role index trails a change set', () => {
  it('every role lists, searches, pages and counts exactly as it will once caught up', async () => {
    moveMembers()
    expect(roleIndexTrails(store)).toBe(true)
    // 290 + 90 + 260 + 150 moved, none of them caught up yet.
    expect(trailingCount(store)).toBe(790)

    const cases: Array<[string | null, (typeof USER_SORT_FIELDS)[number], boolean, string | undefined]> = []
    for (const roleId of [roles.big, roles.small, roles.other, null]) {
      for (const field of USER_SORT_FIELDS) {
        for (const descending of [false, true]) {
          for (const search of field === 'name' ? SEARCHES : [undefined, 'ol']) cases.push([roleId, field, descending, search])
        }
      }
    }
    const trailing = cases.map((args) => listing(...args))
    const invitesTrailing = await Promise.all([roles.big, roles.small, roles.other, null].map(allInvites))
    const countsTrailing = [roles.big, roles.small, roles.other].map((id) => getRole(store, { id }))
    // The moved users themselves, as the role page would show them at once.
    expect(getUser(store, { id: members.big[0] ?? '' }).roleId).toBe(roles.small)
    expect(listing(roles.small, 'name', false).total).toBe(400 + 290 - 90)
    const found = (roleId: string | null, id: string): boolean =>
      listUsers(store, listUsersInput.parse({ filter: { roleId, search: getUser(store, { id }).email } })).rows.some((row) => row.id === id)
    const joiner = members.none[0] ?? ''
    const leaver = members.big[5000] ?? ''
    expect([found(roles.big, joiner), found(null, joiner)]).toEqual([true, false])
    expect([found(roles.big, leaver), found(null, leaver)]).toEqual([false, true])

    settleRoleIndex(store)
    expect(roleIndexTrails(store)).toBe(false)
    cases.forEach((args, index) => {
      expect(trailing[index], JSON.stringify(args)).toEqual(listing(...args))
    })
    expect(invitesTrailing).toEqual(await Promise.all([roles.big, roles.small, roles.other, null].map(allInvites)))
    expect(countsTrailing).toEqual([roles.big, roles.small, roles.other].map((id) => getRole(store, { id })))
  }, 120_000)

  it('catches up in slices, each its own transaction, and is found through the partial index', () => {
    const add = members.other.slice(400, 700)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: roles.small, add }))
    expect(trailingCount(store)).toBe(300)
    expect(foldRoleIndex(store, 120)).toBe(120)
    expect(trailingCount(store)).toBe(180)
    expect(foldRoleIndex(store, 120)).toBe(120)
    expect(foldRoleIndex(store, 120)).toBe(60)
    expect(foldRoleIndex(store, 120)).toBe(0)
    expect(roleIndexTrails(store)).toBe(false)
    const plan = store.sqlite
      .prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM users INDEXED BY users_role_lag WHERE ${TRAILING} LIMIT 1`)
      .all()
      .map((row) => (row as { detail: string }).detail)
    expect(plan.join(' ')).toContain('users_role_lag')
    // What a slice caught up is what the index now says.
    const filed = store.sqlite
      .prepare(`SELECT count(*) FROM users INDEXED BY users_role_name WHERE indexed_role_id = ?`)
      .pluck()
      .get(roles.small)
    expect(filed).toBe(getRole(store, { id: roles.small }).memberCount)
  })

  it('catches up before an export a slice at a time, handing the event loop back between slices', async () => {
    const moved = members.big.slice(2000, 2600)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: roles.small, add: moved }))
    expect(trailingCount(store)).toBe(moved.length)
    // What another call would see at each turn of the event loop while the export waits.
    const seen: number[] = []
    let watching = true
    const watch = (): void => {
      seen.push(trailingCount(store))
      if (watching) setImmediate(watch)
    }
    setImmediate(watch)
    const csv = await exportToString(store, { scope: { kind: 'roleInvites', roleId: roles.small }, format: 'csv', bom: false })
    watching = false
    expect(trailingCount(store)).toBe(0)
    // Every slice was followed by a turn in which the rest still trailed.
    const between = seen.filter((count) => count > 0)
    expect(between.length).toBeGreaterThanOrEqual(Math.ceil(moved.length / FOLD_SLICE) - 1)
    expect(new Set(between).size).toBe(between.length)
    // The file is the one the caught-up index gives, moved members and all.
    expect(csv).toBe(await exportToString(store, { scope: { kind: 'roleInvites', roleId: roles.small }, format: 'csv', bom: false }))
    const invited = moved.map((id) => getUser(store, { id })).filter((user) => user.status === 'invited')
    expect(invited.some((user) => csv.includes(user.email))).toBe(true)
    await catchUpRoleIndex(store) // nothing trails: returns at once
    expect(roleIndexTrails(store)).toBe(false)
  })

  it('an export, a bulk edit and deleting a role by role settle first and see every member moved', async () => {
    const joiners = members.other.slice(700, 760)
    const leavers = members.small.slice(300, 320)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: roles.small, add: joiners, remove: leavers }))
    expect(roleIndexTrails(store)).toBe(true)
    const csv = await exportToString(store, { scope: { kind: 'roleInvites', roleId: roles.small }, format: 'csv', bom: false })
    expect(roleIndexTrails(store)).toBe(false)
    const invitedJoiners = joiners.filter((id) => getUser(store, { id }).status === 'invited')
    const invitedLeavers = leavers.filter((id) => getUser(store, { id }).status === 'invited')
    expect(invitedJoiners.length).toBeGreaterThan(0)
    expect(invitedLeavers.length).toBeGreaterThan(0)
    for (const id of invitedJoiners) expect(csv).toContain(getUser(store, { id }).email)
    for (const id of invitedLeavers) expect(csv).not.toContain(getUser(store, { id }).email)

    const more = members.other.slice(760, 790)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: roles.small, add: more }))
    const { updated } = bulkUpdateUsers(
      store,
      bulkUpdateUsersInput.parse({ selection: { filter: { roleId: roles.small, status: ['suspended'] } }, patch: { status: 'active' } })
    )
    expect(updated).toBeGreaterThan(0)
    for (const id of more) {
      const user = getUser(store, { id })
      expect(user.roleId).toBe(roles.small)
      expect(user.status).not.toBe('suspended')
    }

    const last = members.other.slice(790, 800)
    saveRoleChanges(store, saveRoleChangesInput.parse({ roleId: roles.small, add: last }))
    const expected = getRole(store, { id: roles.small }).memberCount + getRole(store, { id: roles.other }).memberCount
    deleteRole(store, deleteRoleInput.parse({ id: roles.small, moveMembersTo: roles.other }))
    for (const id of [...last, ...more]) expect(getUser(store, { id }).roleId).toBe(roles.other)
    expect(getRole(store, { id: roles.other }).memberCount).toBe(expected)
    expect(listing(roles.other, 'name', false).total).toBe(expected)
    expect(roleIndexTrails(store)).toBe(false)
  })
})
