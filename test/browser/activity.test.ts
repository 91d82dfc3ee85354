import { describe, expect, it } from 'vitest'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, searchUsers, userRows, visible } from './screens'

const h = useHarness()

function entries(page: typeof h.page) {
  return page.getByRole('list', { name: 'Activity entries' }).getByRole('listitem')
}

describe('the activity log', () => {
  it('shows the changes just made, newest first, each with its before and after', async () => {
    const { page } = h
    await openScreen(h, '#/users', 'User Directory')
    const email = `${unique('act').replace(' ', '.')}@example.org`
    await h.call('createUser', { email, status: 'active', title: 'Clerk' })
    await searchUsers(page, email, 1)
    await userRows(page).first().getByRole('button').click()
    const drawer = dialog(page, 'Edit user')
    await drawer.getByLabel('Title').fill('Head clerk')
    await drawer.getByRole('button', { name: 'Save changes' }).click()
    await drawer.waitFor({ state: 'detached' })

    await page.getByRole('link', { name: 'Activity' }).click()
    await visible(page.getByRole('heading', { level: 1, name: 'Activity' }))
    const newest = entries(page).first()
    await visible(newest.getByText(`Updated user ${email}`))
    await expect.poll(async () => (await entries(page).nth(1).textContent()) ?? '').toContain(`Created user ${email}`)

    const toggle = newest.getByRole('button', { name: new RegExp(`Updated user ${email}`) })
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    await toggle.click()
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    const diff = newest.getByRole('table')
    await visible(diff)
    const row = diff.getByRole('row', { name: /Title/ })
    expect(await row.getByRole('cell').allTextContents()).toEqual(['Clerk', 'Head clerk'])
    // Only what changed is listed.
    expect(await diff.getByRole('row', { name: /Email/ }).count()).toBe(0)
  })

  it('filters by kind, by action and by record', async () => {
    const { page } = h
    await openScreen(h, '#/activity', 'Activity')
    await h.call('updateSettings', { inviteLifetimeDays: 9 })
    const email = `${unique('rec').replace(' ', '.')}@example.org`
    const user = await h.call('createUser', { email, status: 'active' })
    await h.call('updateUser', { id: user.id, patch: { location: 'Leeds' } })
    await page.getByRole('button', { name: 'Refresh' }).click()
    await visible(entries(page).first().getByText(`Updated user ${email}`))

    await page.getByLabel('Kind').selectOption('settings')
    await expect.poll(async () => (await entries(page).first().textContent()) ?? '').toContain('Changed the invite lifetime')
    expect((await entries(page).allTextContents()).every((text) => text.includes('Settings changed'))).toBe(true)

    await page.getByLabel('Kind').selectOption('')
    await page.getByLabel('Action').selectOption('user.create')
    await expect.poll(async () => (await entries(page).first().textContent()) ?? '').toContain(`Created user ${email}`)
    expect((await entries(page).allTextContents()).every((text) => text.includes('User created'))).toBe(true)
    await page.getByLabel('Action').selectOption('')

    // From the user's drawer to that user's history.
    await openScreen(h, '#/users', 'User Directory')
    await searchUsers(page, email, 1)
    await userRows(page).first().getByRole('button').click()
    await dialog(page, 'Edit user').getByRole('button', { name: 'Open in Activity' }).click()
    await visible(page.getByRole('heading', { level: 1, name: 'Activity' }))
    await visible(page.getByText(`History of`))
    await expect.poll(() => entries(page).count()).toBe(2)
    expect(await entries(page).allTextContents()).toEqual([
      expect.stringContaining(`Updated user ${email}`),
      expect.stringContaining(`Created user ${email}`)
    ])
    await page.getByRole('button', { name: 'Show all activity' }).click()
    await expect.poll(() => entries(page).count()).toBeGreaterThan(2)
  })

  it.each(['light', 'dark'] as const)('has no axe violations in the %s theme with an entry open', async (theme) => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openScreen(h, '#/activity', 'Activity')
    const email = `${unique(`axe-${theme}`).replace(' ', '.')}@example.org`
    await h.call('createUser', { email, status: 'active', title: 'Clerk' })
    await page.getByRole('button', { name: 'Refresh' }).click()
    // The entry just made, once the refreshed list shows it first: clicking sooner would open the
    // entry that was first before, which the refresh then moves down.
    const newest = entries(page).first()
    await visible(newest.getByText(`Created user ${email}`))
    await newest.getByRole('button').click()
    await visible(newest.getByRole('table'))
    await expectNoAxeViolations(page, `the Activity screen (${theme})`)
  })
})
