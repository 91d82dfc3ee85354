import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { WRITE_SLICE } from '../../src-main/core/long-write'
import { applyImport, applyImportYielding } from '../../src-main/core/import'
import { inviteUsers, inviteUsersYielding } from '../../src-main/core/invites'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { createUser } from '../../src-main/core/users'
import { importOptions, type ImportOptions } from '../../src-main/core/inputs'
import { snapshot } from '../helpers/domain'
import { openTestStore } from '../helpers/store'
import { createRoleInput, createUserInput, inviteUsersInput } from '../../src-main/core/inputs'

const NOW = new Date('2026-03-01T10:00:00.000Z')
const OPTIONS: ImportOptions = importOptions.parse({ existing: 'update', newUsersAs: 'invited' })

/** A store with a Support role and `existing` invited users (existing.0@example.org …). */
async function seededStore(existing: number): Promise<{ store: Store; roleId: string }> {
  const store = await openTestStore({ now: () => NOW })
  const roleId = createRole(store, createRoleInput.parse({ name: 'Support' })).id
  createUser(store, createUserInput.parse({ email: 'admin@example.org', status: 'active' }))
  const paste = Array.from({ length: existing }, (_, index) => `existing.${index}@example.org`).join('\n')
  if (existing > 0) await inviteUsers(store, inviteUsersInput.parse({ text: paste, roleId: null }))
  return { store, roleId }
}

/** `rows` lines: the first half new addresses, the rest the seeded users, moved into Support. */
function importFile(rows: number): string {
  const lines = ['email,first_name,last_name,role']
  for (let index = 0; index < rows; index++) {
    const email = index < rows / 2 ? `new.${index}@example.org` : `existing.${index - rows / 2}@example.org`
    lines.push(`${email},Person,${index},Support`)
  }
  return lines.join('\n')
}

function pasteOf(count: number): string {
  return Array.from({ length: count }, (_, index) => `Person ${index} <person.${index}@example.org>`).join('\n')
}

/** What a user sees of the users table, without the random ids and invite nonces. */
function visibleUsers(store: Store): unknown[] {
  return store.sqlite
    .prepare(
      `SELECT users.email, users.first_name, users.last_name, users.status, roles.name AS role, users.invite_expires_at
       FROM users LEFT JOIN roles ON roles.id = users.role_id ORDER BY users.email_key`
    )
    .all()
}

async function failureOf(run: Promise<unknown>): Promise<DomainError> {
  try {
    await run
  } catch (error) {
    if (error instanceof DomainError) return error
    throw error
  }
  throw new Error('expected the operation to fail with a DomainError')
}

const stores: Store[] = []
afterEach(() => {
  for (const store of stores.splice(0)) store.close()
})

async function tracked(existing: number): Promise<{ store: Store; roleId: string }> {
  const seeded = await seededStore(existing)
  stores.push(seeded.store)
  return seeded
}

describe('an import of many rows', () => {
  let file: string
  beforeEach(() => {
    file = importFile(6000)
  })

  it('reports progress in rising steps towards one fixed total, and writes what the plain import writes', async () => {
    const plain = await tracked(3000)
    const yielding = await tracked(3000)
    const expected = applyImport(plain.store, file, OPTIONS)

    const reports: Array<[number, number]> = []
    const result = await applyImportYielding(yielding.store, file, OPTIONS, {
      onProgress: (done, total) => reports.push([done, total])
    })

    expect(result.counts).toEqual(expected.counts)
    expect(result.counts).toMatchObject({ new: 3000, update: 3000 })
    expect(visibleUsers(yielding.store)).toEqual(visibleUsers(plain.store))
    expect(yielding.store.sqlite.prepare('SELECT action, summary FROM activity ORDER BY id').all()).toEqual(
      plain.store.sqlite.prepare('SELECT action, summary FROM activity ORDER BY id').all()
    )
    // Every row counts twice: once checked, once written.
    expect(reports.length).toBeGreaterThanOrEqual(4)
    expect(new Set(reports.map(([, total]) => total))).toEqual(new Set([12_000]))
    const done = reports.map(([value]) => value)
    expect(done).toEqual([...done].sort((a, b) => a - b))
    expect(new Set(done).size).toBe(done.length)
    expect(yielding.store.sqlite.inTransaction).toBe(false)
  })

  it('writes nothing when cancelled after the first progress report', async () => {
    const { store } = await tracked(3000)
    const before = snapshot(store)
    const controller = new AbortController()
    let reports = 0
    const error = await failureOf(
      applyImportYielding(store, file, OPTIONS, {
        signal: controller.signal,
        onProgress: () => {
          reports++
          controller.abort()
        }
      })
    )
    expect(error.code).toBe('cancelled')
    expect(error.message).toBe('The import was cancelled: nothing was written')
    expect(reports).toBe(1)
    expect(snapshot(store)).toEqual(before)
    expect(store.sqlite.inTransaction).toBe(false)
    // The connection is free again: the same import goes through afterwards.
    expect(applyImport(store, file, OPTIONS).counts.new).toBe(3000)
  })

  it('rolls everything back when a rule fails after the rows were written', async () => {
    const { store } = await tracked(10)
    const admins = createRole(store, createRoleInput.parse({ name: 'Admins', adminAccess: true })).id
    createUser(store, createUserInput.parse({ email: 'root@example.org', status: 'active', roleId: admins }))
    const before = snapshot(store)
    const rows = ['email,status', 'root@example.org,suspended']
    for (let index = 0; index < 5000; index++) rows.push(`filler.${index}@example.org,`)
    const error = await failureOf(applyImportYielding(store, rows.join('\n'), OPTIONS, {}))
    expect(Object.keys(error.fields ?? {})).toEqual(['rows.2'])
    expect(snapshot(store)).toEqual(before)
    expect(store.sqlite.inTransaction).toBe(false)
  })
})

describe('an invite of many addresses', () => {
  it('reports progress per slice and invites exactly what the plain invite does', async () => {
    const plain = await tracked(0)
    const yielding = await tracked(0)
    const paste = pasteOf(5000)
    const expected = await inviteUsers(plain.store, inviteUsersInput.parse({ text: paste, roleId: plain.roleId }))

    const reports: Array<[number, number]> = []
    const batch = await inviteUsersYielding(yielding.store, inviteUsersInput.parse({ text: paste, roleId: yielding.roleId }), {
      onProgress: (done, total) => reports.push([done, total])
    })

    expect(batch.counts).toEqual(expected.counts)
    expect(batch.counts.invited).toBe(5000)
    expect(batch.results.map((result) => result.outcome)).toEqual(expected.results.map((result) => result.outcome))
    expect(visibleUsers(yielding.store)).toEqual(visibleUsers(plain.store))
    // After each slice but the last: WRITE_SLICE, twice that, … below 5,000.
    const slices = Array.from({ length: Math.ceil(5000 / WRITE_SLICE) - 1 }, (_, index) => [(index + 1) * WRITE_SLICE, 5000])
    expect(slices.length).toBeGreaterThan(1)
    expect(reports).toEqual(slices)
  })

  it('invites nobody when cancelled after the first progress report', async () => {
    const { store, roleId } = await tracked(100)
    const before = snapshot(store)
    const controller = new AbortController()
    const error = await failureOf(
      inviteUsersYielding(store, inviteUsersInput.parse({ text: pasteOf(5000), roleId }), {
        signal: controller.signal,
        onProgress: () => controller.abort()
      })
    )
    expect(error.code).toBe('cancelled')
    expect(error.message).toBe('The invite was cancelled: nobody was invited')
    expect(snapshot(store)).toEqual(before)
    expect(store.sqlite.inTransaction).toBe(false)
  })

  it('answers a small paste without a progress report', async () => {
    const { store, roleId } = await tracked(0)
    const reports: number[] = []
    const batch = await inviteUsersYielding(store, inviteUsersInput.parse({ text: pasteOf(20), roleId }), {
      onProgress: (done) => reports.push(done)
    })
    expect(batch.counts.invited).toBe(20)
    expect(reports).toEqual([])
  })
})
