import { describe, expect, test } from 'vitest'
import { listActivity, recordActivity } from '../../src-main/core/activity'
import { DomainError } from '../../src-main/core/errors'
import { openTestStore } from '../helpers/store'

describe('the activity log', () => {
  test('records who, what, which records and before/after, and lists newest first', async () => {
    let tick = Date.parse('2026-03-01T09:00:00.000Z')
    const store = await openTestStore({ now: () => new Date((tick += 1000)) })
    recordActivity(store, {
      action: 'role.create',
      collection: 'roles',
      recordIds: ['r1'],
      summary: 'Created Editors',
      after: { name: 'Editors' }
    })
    recordActivity(store, {
      action: 'role.update',
      collection: 'roles',
      recordIds: ['r1'],
      summary: 'Renamed Editors to Writers',
      before: { name: 'Editors' },
      after: { name: 'Writers' }
    })

    const { rows, nextCursor } = listActivity(store, { limit: 10 })
    expect(nextCursor).toBeNull()
    expect(rows.map((row) => row.action)).toEqual(['role.update', 'role.create'])
    expect(rows[0]).toMatchObject({
      actor: 'tester',
      collection: 'roles',
      recordIds: ['r1'],
      summary: 'Renamed Editors to Writers',
      before: { name: 'Editors' },
      after: { name: 'Writers' },
      at: '2026-03-01T09:00:02.000Z'
    })
    expect(rows[1]?.before).toBeNull()
  })

  test('filters by record (also inside a bulk entry), by kind of record and by action', async () => {
    const store = await openTestStore()
    const many = Array.from({ length: 5000 }, (_, index) => `u${index}`)
    recordActivity(store, { action: 'user.invite', collection: 'users', recordIds: many, summary: 'Invited 5,000 users' })
    recordActivity(store, { action: 'user.update', collection: 'users', recordIds: ['u42'], summary: 'Changed u42' })
    recordActivity(store, {
      action: 'settings.update',
      collection: 'settings',
      recordIds: ['inviteLifetimeDays'],
      summary: 'Lifetime 7 → 3'
    })

    expect(listActivity(store, { limit: 10, recordId: 'u42' }).rows.map((row) => row.action)).toEqual(['user.update', 'user.invite'])
    expect(listActivity(store, { limit: 10, recordId: 'u4999' }).rows.map((row) => row.action)).toEqual(['user.invite'])
    expect(listActivity(store, { limit: 10, recordId: 'nobody' }).rows).toEqual([])
    expect(listActivity(store, { limit: 10, collection: 'settings' }).rows.map((row) => row.summary)).toEqual(['Lifetime 7 → 3'])
    expect(listActivity(store, { limit: 10, action: 'user.invite' }).rows[0]?.recordIds).toHaveLength(5000)
  })

  test('pages with a cursor, each entry exactly once', async () => {
    const store = await openTestStore()
    for (let index = 0; index < 25; index++) {
      recordActivity(store, { action: 'user.update', collection: 'users', recordIds: [`u${index}`], summary: `#${index}` })
    }
    const seen: string[] = []
    let after: string | undefined
    do {
      const page = listActivity(store, { limit: 10, ...(after ? { after } : {}) })
      seen.push(...page.rows.map((row) => row.summary))
      after = page.nextCursor ?? undefined
    } while (after)
    expect(seen).toEqual(Array.from({ length: 25 }, (_, index) => `#${24 - index}`))
  })

  test('a forged cursor is a validation error, not a crash', async () => {
    const store = await openTestStore()
    expect(() => listActivity(store, { limit: 10, after: 'not-a-cursor' })).toThrow(DomainError)
    expect(() => listActivity(store, { limit: 10, after: Buffer.from('["x"]').toString('base64url') })).toThrow(/cursor/)
  })
})
