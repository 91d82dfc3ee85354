import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { seed, type SeedSummary } from '../../scripts/seed'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, readClipboard, searchUsers, userCountText, userRows, usersTable, visible } from './screens'

let summary: SeedSummary | null = null
const h = useHarness({
  seed: (store) => {
    summary = seed(store, { users: 300, roles: 4 })
  }
})

function seeded(): SeedSummary {
  if (!summary) throw new Error('The seed did not run')
  return summary
}

async function openDirectory(page: Page): Promise<void> {
  await openScreen(h, '#/users', 'User Directory')
  await visible(userRows(page).first())
}

/** Users of this test's own, found again by the tag in their addresses. */
async function createTagged(count: number, status: 'active' | 'invited' = 'active'): Promise<{ tag: string; emails: string[] }> {
  if (h.page.url() === 'about:blank') await h.open('#/users')
  const tag = unique('dir').replace(' ', '')
  const emails = Array.from({ length: count }, (_, index) => `${tag}.${index + 1}@example.org`)
  for (const [index, email] of emails.entries()) {
    await h.call('createUser', { email, status, firstName: 'Tagged', lastName: `Person ${index + 1}` })
  }
  return { tag, emails }
}

async function selectAllShown(page: Page): Promise<void> {
  await page.getByRole('checkbox', { name: 'Select all shown users' }).check()
}

async function userByEmail(email: string) {
  const page = await h.call('listUsers', { filter: { search: email }, limit: 5 })
  return page.rows.find((user) => user.email === email) ?? null
}

describe('the user directory', () => {
  it('filters by status, role and no role with counts, and searches', async () => {
    const { page } = h
    await openDirectory(page)
    const counts = await h.call('countUsers', {})
    const filters = page.getByRole('group', { name: 'Filters' })
    for (const name of ['All', 'Active', 'Invited', 'Suspended', 'Archived', 'No role', ...seeded().roles.map((role) => role.name)]) {
      await visible(filters.getByRole('button', { name, exact: true }))
    }
    expect(await filters.getByRole('button', { name: 'All', exact: true }).getAttribute('aria-pressed')).toBe('true')

    await filters.getByRole('button', { name: 'Invited', exact: true }).click()
    await expect.poll(() => userCountText(page)).toBe(`${counts.byStatus.invited} users`)
    await expect
      .poll(
        async () =>
          new Set(
            await userRows(page)
              .getByRole('cell')
              .filter({ hasText: /^(Draft|Invited|Active|Suspended|Archived)$/ })
              .allTextContents()
          )
      )
      .toEqual(new Set(['Invited']))
    const description = await filters.getByRole('button', { name: 'Invited', exact: true }).getAttribute('aria-describedby')
    expect(await page.locator(`#${description}`).textContent()).toContain(String(counts.byStatus.invited))

    await filters.getByRole('button', { name: 'No role', exact: true }).click()
    await expect.poll(() => userCountText(page)).toBe(`${counts.noRole} users`)
    await expect.poll(async () => new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set(['Public']))

    const role = seeded().roles.find((candidate) => !candidate.adminAccess && candidate.members > 0)
    if (!role) throw new Error('No ordinary role with members')
    await filters.getByRole('button', { name: role.name, exact: true }).click()
    await expect.poll(() => userCountText(page)).toBe(`${role.members} users`)
    await expect.poll(async () => new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set([role.name]))

    await filters.getByRole('button', { name: 'All', exact: true }).click()
    const { emails } = await createTagged(2)
    await page.reload()
    await visible(userRows(page).first())
    await searchUsers(page, emails[0] ?? '', 1)
    expect(await userRows(page).first().textContent()).toContain(emails[0])
  })

  it('finds one or two characters anywhere in a name, as it does longer searches, and counts only its own matches', async () => {
    const { page } = h
    await openDirectory(page)
    const tag = unique('short').replace(' ', '')
    for (let index = 1; index <= 3; index++) {
      await h.call('createUser', { email: `${tag}.${index}@example.org`, firstName: 'Rarely', lastName: `Vaqxor ${index}` })
    }
    // "qx" sits inside "Vaqxor": one rule for every length, so two letters find it as three do.
    await searchUsers(page, 'qx', 3)
    await expect.poll(() => userCountText(page)).toBe('3 users')
    await searchUsers(page, 'QXO', 3)
    await page.getByRole('searchbox', { name: 'Search users' }).fill('aqxor .2@')
    await expect.poll(() => userCountText(page)).toBe('1 user')
    await expect.poll(() => userRows(page).count()).toBe(1)
    await page.getByRole('searchbox', { name: 'Search users' }).fill('zq')
    await expect.poll(() => userCountText(page)).toBe('0 users')
  })

  it('sorts by a column header, both ways, and says so with aria-sort', async () => {
    const { page } = h
    await openDirectory(page)
    const header = usersTable(page).getByRole('columnheader', { name: 'Email' })
    expect(await header.getAttribute('aria-sort')).toBe('none')
    await header.getByRole('button').click()
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('ascending')
    const emails = async (): Promise<string[]> => userRows(page).locator('.col-email').allTextContents()
    await expect
      .poll(async () => {
        const shown = await emails()
        return shown.length > 3 && shown.every((email, i) => i === 0 || (shown[i - 1] ?? '').toLowerCase() <= email.toLowerCase())
      })
      .toBe(true)
    await header.getByRole('button').click()
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending')
    await expect
      .poll(async () => {
        const shown = await emails()
        return shown.length > 3 && shown.every((email, i) => i === 0 || (shown[i - 1] ?? '').toLowerCase() >= email.toLowerCase())
      })
      .toBe(true)
    expect(await usersTable(page).getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('none')
  })

  it('assigns a role, removes it and sets the status of the selected users, and deletes them after saying how many', async () => {
    const { page } = h
    const { tag, emails } = await createTagged(3)
    const role = seeded().roles.find((candidate) => !candidate.adminAccess)
    if (!role) throw new Error('No ordinary role')
    await openDirectory(page)
    await searchUsers(page, tag, 3)

    // A click and a shift-click select the range between them.
    await page.getByRole('checkbox', { name: `Select ${emails[0]}` }).check()
    await page.getByRole('checkbox', { name: `Select ${emails[2]}` }).click({ modifiers: ['Shift'] })
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' })
    await visible(bar.getByText('3 selected'))

    await bar.getByRole('button', { name: 'Assign role' }).click()
    const assign = dialog(page, 'Assign role')
    await assign.getByLabel('Role').selectOption({ label: role.name })
    await assign.getByRole('button', { name: 'Assign', exact: true }).click()
    await assign.waitFor({ state: 'detached' })
    await expect.poll(async () => new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set([role.name]))
    expect((await userByEmail(emails[1] ?? ''))?.roleId).toBe(role.id)

    await selectAllShown(page)
    await bar.getByRole('button', { name: 'Remove role' }).click()
    const remove = page.getByRole('alertdialog', { name: 'Remove role' })
    await visible(remove.getByText('3 users will have no role'))
    await remove.getByRole('button', { name: 'Remove role' }).click()
    await remove.waitFor({ state: 'detached' })
    await expect.poll(async () => new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set(['Public']))

    await selectAllShown(page)
    await bar.getByRole('button', { name: 'Set status' }).click()
    const setStatus = dialog(page, 'Set status')
    await setStatus.getByLabel('Status').selectOption('suspended')
    await setStatus.getByRole('button', { name: 'Apply' }).click()
    await setStatus.waitFor({ state: 'detached' })
    await expect.poll(async () => new Set(await userRows(page).locator('.col-status').allTextContents())).toEqual(new Set(['Suspended']))
    expect((await userByEmail(emails[0] ?? ''))?.status).toBe('suspended')

    await page.getByRole('checkbox', { name: `Select ${emails[0]}` }).check()
    await page.getByRole('checkbox', { name: `Select ${emails[1]}` }).check()
    await bar.getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Delete users' })
    await visible(confirm.getByText('Delete 2 users? This cannot be undone.'))
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await userByEmail(emails[0] ?? '')).not.toBeNull()
    await bar.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('alertdialog', { name: 'Delete users' }).getByRole('button', { name: 'Delete 2 users' }).click()
    await expect.poll(() => userRows(page).count()).toBe(1)
    expect(await userByEmail(emails[0] ?? '')).toBeNull()
    expect(await userByEmail(emails[2] ?? '')).not.toBeNull()
  })

  it('selects every user matching the filter without loading them, and deletes them all at once', async () => {
    const { page } = h
    const tag = unique('many').replace(' ', '')
    const text = Array.from({ length: 260 }, (_, index) => `${tag}.${index}@example.org`).join('\n')
    await openDirectory(page)
    await h.call('inviteUsers', { text, roleId: null })
    await page.getByRole('searchbox', { name: 'Search users' }).fill(tag)
    await expect.poll(() => userCountText(page)).toBe('260 users')
    await selectAllShown(page)
    await page.getByRole('button', { name: 'Select all 260 matching users' }).click()
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' })
    await visible(bar.getByText('260 selected'))
    // Only the first page was ever fetched: the rest are selected by the filter.
    expect(await userRows(page).count()).toBeLessThan(60)

    await bar.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('alertdialog', { name: 'Delete users' }).getByRole('button', { name: 'Delete 260 users' }).click()
    await expect.poll(() => userCountText(page)).toBe('0 users')
    expect((await h.call('listUsers', { filter: { search: tag }, limit: 10 })).total).toBe(0)
  })

  it('refuses a bulk change that would leave no active administrator, says why and changes nothing', async () => {
    const { page } = h
    const admin = seeded().roles.find((role) => role.adminAccess)
    if (!admin) throw new Error('No administrator role')
    await openDirectory(page)
    const before = await h.call('listUsers', { filter: { roleId: admin.id, status: ['active'] }, limit: 50 })
    await page.getByRole('group', { name: 'Filters' }).getByRole('button', { name: admin.name, exact: true }).click()
    await expect.poll(() => userRows(page).count()).toBe(before.total)
    await selectAllShown(page)
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Set status' }).click()
    const setStatus = dialog(page, 'Set status')
    await setStatus.getByLabel('Status').selectOption('suspended')
    await setStatus.getByRole('button', { name: 'Apply' }).click()
    await visible(setStatus.getByRole('alert').filter({ hasText: /administrator/i }))
    const after = await h.call('listUsers', { filter: { roleId: admin.id, status: ['active'] }, limit: 50 })
    expect(after.total).toBe(before.total)
  })

  it('opens a user in a drawer, saves every edited field, and shows the change in the user’s history', async () => {
    const { page } = h
    const { tag, emails } = await createTagged(1)
    const email = emails[0] ?? ''
    const role = seeded().roles.find((candidate) => !candidate.adminAccess)
    if (!role) throw new Error('No ordinary role')
    await openDirectory(page)
    await searchUsers(page, tag, 1)
    await userRows(page).first().getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    await visible(drawer.getByLabel('Email'))
    expect(await drawer.getByLabel('Email').inputValue()).toBe(email)
    await drawer.getByLabel('First name').fill('Grace')
    await drawer.getByLabel('Last name').fill('Hopper')
    await drawer.getByLabel('Title').fill('Rear Admiral')
    await drawer.getByLabel('Location').fill('Arlington')
    await drawer.getByLabel('Description').fill('Wrote the first compiler.')
    await drawer.getByLabel('Tags').fill('navy, cobol')
    await drawer.getByLabel('Role').selectOption({ label: role.name })
    await drawer.getByLabel('New password').fill('longenough1')
    await drawer.getByRole('button', { name: 'Save changes' }).click()
    await drawer.waitFor({ state: 'detached' })
    const saved = await userByEmail(email)
    expect(saved).toMatchObject({
      firstName: 'Grace',
      lastName: 'Hopper',
      title: 'Rear Admiral',
      location: 'Arlington',
      description: 'Wrote the first compiler.',
      tags: ['navy', 'cobol'],
      roleId: role.id,
      hasPassword: true
    })
    await visible(userRows(page).getByRole('button', { name: 'Grace Hopper' }))

    await userRows(page).getByRole('button', { name: 'Grace Hopper' }).click()
    const again = dialog(page, 'Edit user')
    const history = again.getByRole('list', { name: 'Changes to this user' })
    await visible(history.getByText(`Updated user ${email}`))
    await history.getByRole('button', { name: new RegExp(`Updated user ${email}`) }).click()
    await visible(again.getByRole('cell', { name: 'Rear Admiral' }))

    // A field error from the main process lands beside its field.
    const taken = (await h.call('listUsers', { limit: 1 })).rows[0]?.email ?? ''
    await again.getByLabel('Email').fill(taken)
    await again.getByRole('button', { name: 'Save changes' }).click()
    await visible(again.locator('#edit-user-email-error'))
    expect(await again.getByLabel('Email').getAttribute('aria-invalid')).toBe('true')
  })

  it('resends, copies and revokes the invite of an invited user from the drawer', async () => {
    const { page } = h
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    const { tag, emails } = await createTagged(1, 'invited')
    await openDirectory(page)
    await searchUsers(page, tag, 1)
    await userRows(page).first().getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    // No invite URL template is set here: the drawer holds the bare token, and calls it that.
    const link = drawer.getByLabel('Invite token')
    await expect.poll(() => link.inputValue()).not.toBe('')
    const first = await link.inputValue()

    await drawer.getByRole('button', { name: 'Copy invite token' }).click()
    await expect.poll(() => readClipboard(page)).toBe(first)

    await drawer.getByRole('button', { name: 'Resend invite' }).click()
    await expect.poll(() => link.inputValue()).not.toBe(first)
    const accepted = await h.tryCall('acceptInvite', { token: first, password: 'longenough1' })
    expect(accepted.ok).toBe(false)

    await drawer.getByRole('button', { name: 'Revoke invite' }).click()
    await page.getByRole('alertdialog', { name: 'Revoke this invite?' }).getByRole('button', { name: 'Revoke invite' }).click()
    await link.waitFor({ state: 'detached' })
    expect(await drawer.getByLabel('Status').inputValue()).toBe('draft')
    expect((await userByEmail(emails[0] ?? ''))?.status).toBe('draft')
  })

  it('invites users from the directory into a chosen role', async () => {
    const { page } = h
    const role = seeded().roles.find((candidate) => !candidate.adminAccess)
    if (!role) throw new Error('No ordinary role')
    const tag = unique('inv').replace(' ', '')
    await openDirectory(page)
    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    expect(await invite.getByLabel('Role').isDisabled()).toBe(false)
    await invite.getByLabel('Role').selectOption({ label: role.name })
    await invite.getByLabel('Emails').fill(`${tag}.a@example.org, ${tag}.b@example.org`)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    await invite.getByRole('button', { name: 'Close', exact: true }).click()
    await searchUsers(page, tag, 2)
    expect(new Set(await userRows(page).locator('.col-role').allTextContents())).toEqual(new Set([role.name]))
  })
})

describe.each(['light', 'dark'] as const)('axe-core in the %s theme', (theme) => {
  it('finds no violations on the directory, its bulk actions, a bulk dialog and the user drawer', { timeout: 90_000 }, async () => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openDirectory(page)
    await expectNoAxeViolations(page, `the user directory (${theme})`)
    await page
      .getByRole('checkbox', { name: /^Select .+@/ })
      .first()
      .check()
    await visible(page.getByRole('toolbar', { name: 'Bulk actions' }))
    await expectNoAxeViolations(page, `the directory with a selection (${theme})`)
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Assign role' }).click()
    await visible(dialog(page, 'Assign role'))
    await expectNoAxeViolations(page, `the Assign role dialog (${theme})`, '[role="dialog"]')
    await page.keyboard.press('Escape')
    await dialog(page, 'Assign role').waitFor({ state: 'detached' })
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Clear selection' }).click()

    await page.getByRole('group', { name: 'Filters' }).getByRole('button', { name: 'Invited', exact: true }).click()
    await expect.poll(() => userRows(page).locator('.col-status').first().textContent()).toMatch(/^(Invited|Expired)$/)
    await userRows(page).first().getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    await expect.poll(() => drawer.getByLabel('Invite token').inputValue()).not.toBe('')
    await expectNoAxeViolations(page, `the Edit user drawer (${theme})`, '[role="dialog"]')
  })
})
