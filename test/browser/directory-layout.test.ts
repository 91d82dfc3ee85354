import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { inviteUsers } from '../../src-main/core/invites'
import { seed, type SeedSummary } from '../../scripts/seed'
import { createUserInput } from '../../src-main/core/inputs'
import { createUser } from '../../src-main/core/users'
import { dialog, expectNoAxeViolations, useHarness } from './harness'
import { eventually, openScreen, searchUsers, userCountText, userRows, visible } from './screens'

const TWINS = ['maria.fernandez-garcia.a1@acme.org', 'maria.fernandez-garcia.b2@acme.org']
const EXPIRED = 'expired.invite@example.org'
const LIVE = 'live.invite@example.org'

let summary: SeedSummary | null = null
const h = useHarness({
  seed: (store) => {
    summary = seed(store, { users: 400, roles: 20 })
    for (const email of TWINS) {
      createUser(store, createUserInput.parse({ email, firstName: 'María', lastName: 'Fernández García', status: 'active' }))
    }
    inviteUsers(store, { text: `${EXPIRED}, ${LIVE}`, roleId: ordinaryRoles()[0]?.id ?? null })
    store.sqlite.prepare('UPDATE users SET invite_expires_at = ? WHERE email = ?').run('2024-01-05T10:00:00.000Z', EXPIRED)
  }
})

function seeded(): SeedSummary {
  if (!summary) throw new Error('The seed did not run')
  return summary
}

/** Roles without admin access that have members; the first also holds the two invites above. */
function ordinaryRoles(): SeedSummary['roles'] {
  return seeded().roles.filter((candidate) => !candidate.adminAccess && candidate.members > 0)
}

async function openDirectory(page: Page, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport)
  await openScreen(h, '#/users', 'User Directory')
  await visible(userRows(page).first())
}

/** Rows whose whole height is inside the table's scrolling area. */
async function wholeRowsShown(page: Page): Promise<number> {
  const area = await page.locator('.directory-scroll').boundingBox()
  if (!area) throw new Error('No table on screen')
  let whole = 0
  for (const row of await userRows(page).all()) {
    const box = await row.boundingBox()
    if (box && box.y >= area.y - 0.5 && box.y + box.height <= area.y + area.height + 0.5) whole++
  }
  return whole
}

async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === element.ownerDocument.activeElement)
}

async function rowTops(rows: Locator, count: number): Promise<number[]> {
  const tops: number[] = []
  for (let index = 0; index < count; index++) tops.push((await rows.nth(index).boundingBox())?.y ?? -1)
  return tops
}

describe('the directory with 20 roles', () => {
  it('shows at least ten whole rows at 1024×700, and the filters on one line at 1280', async () => {
    const { page } = h
    expect(seeded().roles).toHaveLength(20)
    await openDirectory(page, { width: 1024, height: 700 })
    expect(await wholeRowsShown(page)).toBeGreaterThanOrEqual(10)

    await openDirectory(page, { width: 1280, height: 800 })
    const filters = page.getByRole('group', { name: 'Filters' })
    const chip = await filters.getByRole('button', { name: 'All', exact: true }).boundingBox()
    const group = await filters.boundingBox()
    expect(group?.height).toBeLessThanOrEqual((chip?.height ?? 0) + 4)
  })

  it('filters by role through one compact select', async () => {
    const { page } = h
    await openDirectory(page, { width: 1280, height: 800 })
    const filters = page.getByRole('group', { name: 'Filters' })
    // One control for the roles, not a chip each.
    const role = ordinaryRoles()[1]
    if (!role) throw new Error('No second ordinary role with members')
    expect(await filters.getByRole('button', { name: role.name, exact: true }).count()).toBe(0)
    const select = filters.getByRole('combobox', { name: 'Role' })
    await select.selectOption({ label: `${role.name} (${role.members})` })
    await eventually(() => userCountText(page)).toBe(`${role.members} ${role.members === 1 ? 'user' : 'users'}`)
    expect(await filters.getByRole('button', { name: 'All', exact: true }).getAttribute('aria-pressed')).toBe('false')
    await eventually(async () => new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set([role.name]))

    await filters.getByRole('button', { name: 'Invited', exact: true }).click()
    expect(await select.inputValue()).toBe('')
    await select.selectOption({ label: 'Any role' })
    await eventually(() => filters.getByRole('button', { name: 'All', exact: true }).getAttribute('aria-pressed')).toBe('true')
  })

  it('keeps the rows where they are when the bulk bar and the selection note appear', async () => {
    const { page } = h
    await openDirectory(page, { width: 1024, height: 700 })
    const rows = userRows(page)
    const before = await rowTops(rows, 6)
    await rows.nth(1).getByRole('checkbox').check()
    await visible(page.getByRole('toolbar', { name: 'Bulk actions' }))
    expect(await rowTops(rows, 6)).toEqual(before)
    await page.getByRole('checkbox', { name: 'Select all shown users' }).check()
    await visible(page.getByRole('button', { name: /^Select all .* matching users$/ }))
    expect(await rowTops(rows, 6)).toEqual(before)
  })

  it('shows each email whole enough to tell apart two users of the same name', async () => {
    const { page } = h
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 1024, height: 700 }
    ]) {
      await openDirectory(page, viewport)
      await searchUsers(page, 'fernandez-garcia', 2)
      const shown = page.locator(viewport.width >= 1180 ? '.col-email .ellipsis' : '.directory-email-below')
      // Same name, so their order is the ids': only which two is fixed.
      expect((await shown.allTextContents()).sort()).toEqual(TWINS)
      for (const email of await shown.all()) {
        expect(await email.isVisible()).toBe(true)
        // Not cut short: all of it fits in the space it has.
        expect(await email.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true)
      }
    }
  })

  it('has a skip link past the filters to the table', async () => {
    const { page } = h
    await openDirectory(page, { width: 1280, height: 800 })
    await page.getByRole('button', { name: 'Invite users' }).focus()
    await page.keyboard.press('Tab')
    const skip = page.getByRole('link', { name: 'Skip to the users table' })
    expect(await isFocused(skip)).toBe(true)
    expect((await skip.boundingBox())?.width ?? 0).toBeGreaterThan(40)
    await page.keyboard.press('Enter')
    expect(await isFocused(page.getByRole('table', { name: 'Users' }))).toBe(true)
    await page.keyboard.press('Tab')
    const selectAll = page.getByRole('checkbox', { name: 'Select all shown users' })
    expect(await isFocused(selectAll)).toBe(true)
    // The link left the route alone.
    expect(new URL(page.url()).hash).toBe('#/users')
  })
})

describe.each(['light', 'dark'] as const)('axe-core in the %s theme', (theme) => {
  it('finds no violations on the directory with its role select and skip link, nor in the revoke question', async () => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openDirectory(page, { width: 1280, height: 800 })
    await page.getByRole('button', { name: 'Invite users' }).focus()
    await page.keyboard.press('Tab')
    await expectNoAxeViolations(page, `the directory with 20 roles and the skip link shown (${theme})`)

    await searchUsers(page, LIVE, 1)
    await userRows(page).first().getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    await drawer.getByRole('button', { name: 'Revoke invite' }).click()
    const ask = page.getByRole('alertdialog', { name: 'Revoke this invite?' })
    await visible(ask)
    await expectNoAxeViolations(page, `the revoke question (${theme})`, '[role="alertdialog"]')
    await ask.getByRole('button', { name: 'Cancel' }).click()
    await ask.waitFor({ state: 'detached' })
  })
})

describe('expired invites', () => {
  it('read as expired in the directory, on the role page and in the Edit user drawer', async () => {
    const { page } = h
    await openDirectory(page, { width: 1280, height: 800 })
    await searchUsers(page, 'invite@example.org', 2)
    const expiredRow = userRows(page).filter({ hasText: EXPIRED })
    expect(await expiredRow.locator('.col-status').textContent()).toBe('Expired')
    expect(await expiredRow.locator('.col-expires').textContent()).toMatch(/^Expired /)
    const liveRow = userRows(page).filter({ hasText: LIVE })
    expect(await liveRow.locator('.col-status').textContent()).toBe('Invited')

    await expiredRow.getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    const invite = drawer.getByRole('region', { name: 'Invite' })
    await visible(invite.getByText('Expired', { exact: true }))
    await visible(invite.getByText(/no longer works/))
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })

    await h.open(`#/roles/${ordinaryRoles()[0]?.id ?? ''}`)
    await page.getByRole('searchbox', { name: 'Search members' }).fill('invite@example.org')
    const members = page.getByRole('list', { name: 'Members' }).getByRole('listitem')
    await eventually(() => members.count()).toBe(2)
    const expiredMember = members.filter({ hasText: EXPIRED })
    await visible(expiredMember.getByText('Expired', { exact: true }))
    await visible(expiredMember.getByText(/^Invite expired \w/))
    expect(await members.filter({ hasText: LIVE }).getByText('Invited', { exact: true }).count()).toBe(1)
  })
})
