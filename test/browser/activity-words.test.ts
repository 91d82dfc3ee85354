import { randomUUID } from 'node:crypto'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { recordActivity } from '../../src-main/core/activity'
import { createRole } from '../../src-main/core/roles'
import { dialog, unique, useHarness } from './harness'
import { openScreen, searchUsers, userRows, visible } from './screens'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const OLD_USERS = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2']

let keptRoleName = ''
const h = useHarness({
  // Entries as the log wrote them before it kept names: ids only.
  seed: (store) => {
    const role = createRole(store, { name: 'Reviewers' })
    keptRoleName = role.name
    recordActivity(store, {
      action: 'user.bulk_update',
      collection: 'users',
      recordIds: OLD_USERS,
      summary: 'Assigned a role to 2 user(s) (old entry)',
      before: { roleId: { null: OLD_USERS } },
      after: { roleId: role.id }
    })
    recordActivity(store, {
      action: 'role.save',
      collection: 'roles',
      recordIds: [role.id, OLD_USERS[0] ?? ''],
      summary: 'Saved role Reviewers: 1 added (old entry)',
      before: { role: {}, added: { [OLD_USERS[0] ?? '']: { roleId: null } } },
      after: { role: {}, created: [], added: [OLD_USERS[0]], removed: [] }
    })
  }
})

function entries(page: Page): Locator {
  return page.getByRole('list', { name: 'Activity entries' }).getByRole('listitem')
}

/** Opens the Activity entry whose summary holds `text`; its details table. */
async function openEntry(page: Page, text: string | RegExp): Promise<Locator> {
  const entry = entries(page).filter({ hasText: text }).first()
  await visible(entry)
  await entry.getByRole('button').first().click()
  const table = entry.getByRole('table')
  await visible(table)
  return table
}

/** Each row of a details table as its cells' words: `[label, before, after]` or `[label, value]`. */
async function rowsOf(table: Locator): Promise<string[][]> {
  const rows: string[][] = []
  for (const row of await table.locator('tbody tr').all()) {
    rows.push((await row.locator('th, td').allTextContents()).map((text) => text.trim()))
  }
  return rows
}

describe('history in words', () => {
  it('shows a role save as a row per change, counts of members, and role names as they were then', async () => {
    const { page } = h
    await h.open('#/activity')
    const role = await h.call('createRole', { name: unique('Writers'), description: 'first words' })
    const from = await h.call('createRole', { name: unique('Sales') })
    const mover = await h.call('createUser', { email: `mover.${role.id.slice(0, 8)}@example.org`, roleId: from.id })
    await h.call('saveRoleChanges', {
      roleId: role.id,
      role: { description: 'second words' },
      create: [{ email: `created.${role.id.slice(0, 8)}@example.org` }],
      add: [mover.id],
      remove: []
    })
    // The role the member came from is renamed afterwards: the entry keeps the name it had.
    await h.call('updateRole', { id: from.id, patch: { name: `${from.name} (renamed)` } })

    await openScreen(h, '#/activity', 'Activity')
    const table = await openEntry(page, `Saved role ${role.name}`)
    expect(await rowsOf(table)).toEqual([
      ['Description', 'first words', 'second words'],
      ['Members created', '1 user'],
      ['Members added', `1 user (1 from ${from.name})`]
    ])
    const words = (await table.textContent()) ?? ''
    expect(words).not.toMatch(UUID)
    expect(words).not.toContain('{')
    expect(words).not.toContain('renamed')
  })

  it('shows an export as its format, what it held and how many rows', async () => {
    const { page } = h
    await h.open('#/activity')
    const tag = unique('exp').replace(' ', '')
    const batch = await h.call('inviteUsers', { text: `${tag}.a@example.org, ${tag}.b@example.org`, roleId: null })
    const userIds = batch.results.map((result) => result.userId).filter((id): id is string => id !== null)
    await h.call('exportInvites', { exportId: randomUUID(), scope: { kind: 'inviteBatch', userIds }, format: 'csv' })
    await openScreen(h, '#/activity', 'Activity')
    const table = await openEntry(page, /^Exported 2 users as CSV/)
    expect(await rowsOf(table)).toEqual([
      ['Format', 'CSV'],
      ['What', 'An invite batch of 2 users'],
      ['Rows', '2 rows']
    ])
  })

  it('reads entries written before names were kept, with the role’s name today', async () => {
    const { page } = h
    await openScreen(h, '#/activity', 'Activity')
    const bulk = await openEntry(page, 'Assigned a role to 2 user(s) (old entry)')
    expect(await rowsOf(bulk)).toEqual([
      ['Users', '2 users'],
      ['Role', '2 in Public', keptRoleName]
    ])
    const save = await openEntry(page, 'Saved role Reviewers: 1 added (old entry)')
    expect(await rowsOf(save)).toEqual([['Members added', '1 user (1 from Public)']])
  })

  it('shows settings and a user’s own history (in the Edit user drawer) in words', async () => {
    const { page } = h
    await h.open('#/activity')
    await h.call('updateSettings', { inviteLifetimeDays: 9, passwordPolicy: { kind: 'strong', pattern: null } })
    await openScreen(h, '#/activity', 'Activity')
    const settings = await openEntry(page, /^Changed the invite lifetime/)
    const rows = await rowsOf(settings)
    expect(rows[0]).toEqual(['Invite lifetime', '7 days', '9 days'])
    expect(rows[1]?.[0]).toBe('Password policy')
    expect(rows[1]?.[1]).toMatch(/8 characters/)
    expect(rows[1]?.[2]).toMatch(/12 characters/)

    const role = await h.call('createRole', { name: unique('Editors') })
    const email = `${unique('history').replace(' ', '.')}@example.org`
    const user = await h.call('createUser', { email, status: 'active' })
    await h.call('updateUser', { id: user.id, patch: { roleId: role.id, status: 'suspended' } })
    await openScreen(h, '#/users', 'User Directory')
    await searchUsers(page, email, 1)
    await userRows(page).first().getByRole('button').click()
    const history = dialog(page, 'Edit user').getByRole('region', { name: 'History' })
    const updated = history.getByRole('listitem').filter({ hasText: `Updated user ${email}` })
    await visible(updated)
    await updated.getByRole('button').first().click()
    expect(await rowsOf(updated.getByRole('table'))).toEqual([
      ['Status', 'Active', 'Suspended'],
      ['Role', 'Public', role.name]
    ])
    const created = history.getByRole('listitem').filter({ hasText: `Created user ${email}` })
    await created.getByRole('button').first().click()
    const creation = await rowsOf(created.getByRole('table'))
    expect(creation).toContainEqual(['Email', email])
    expect(creation).toContainEqual(['Role', 'Public'])
    expect(creation).toContainEqual(['Status', 'Active'])
    expect(((await created.getByRole('table').textContent()) ?? '').match(UUID)).toBeNull()
  })
})
