import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, unique, useHarness, type Harness } from './harness'

// This database has no administrator except the one the last-administrator test creates.
const h = useHarness()

async function openRole(harness: Harness, id: string, name: string): Promise<void> {
  await harness.open(`#/roles/${id}`)
  await visible(harness.page.getByRole('heading', { level: 1, name: `${name} Role` }))
}

async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 })
}

function members(page: Page): Locator {
  return page.getByRole('list', { name: 'Members' })
}

async function clickSave(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'More save options' }).click()
  await page.getByRole('menuitem', { name: 'Save and stay' }).click()
}

describe('what goes wrong is shown where it happened, and nothing is written', () => {
  it('refuses a duplicate email in the Create user drawer, before anything is staged', async () => {
    const { page } = h
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Editors') })
    const taken = `taken.${role.id.slice(0, 8)}@example.org`
    await h.call('createUser', { email: taken })
    await openRole(h, role.id, role.name)

    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    const email = drawer.getByLabel('Email')
    await email.fill(taken.toUpperCase())
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await visible(drawer.getByText('A user with this email address already exists.'))
    expect(await email.getAttribute('aria-invalid')).toBe('true')
    const describedBy = (await email.getAttribute('aria-describedby')) ?? ''
    const described = await Promise.all(describedBy.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()))
    expect(described.join(' ')).toContain('already exists')
    expect(await page.locator(':focus').getAttribute('type')).toBe('email')

    await email.fill(`fresh.${role.id.slice(0, 8)}@example.org`)
    expect(await email.getAttribute('aria-invalid')).toBeNull()
    await drawer.getByLabel('Password', { exact: true }).fill('short')
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await visible(drawer.getByText(/At least 8 characters are required/))
    expect(await drawer.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true')
  })

  it('shows a duplicate that appeared after staging next to its row on Save, and writes nothing', async () => {
    const { page } = h
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Support'), description: 'Before' })
    const email = `race.${role.id.slice(0, 8)}@example.org`
    await openRole(h, role.id, role.name)

    await page.getByLabel('Description').fill('After')
    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    await drawer.getByLabel('Email').fill(email)
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await drawer.waitFor({ state: 'detached' })
    // Someone else takes the address before this page is saved.
    await h.call('createUser', { email: email.toUpperCase() })

    await clickSave(page)
    const row = members(page).getByRole('listitem').filter({ hasText: email })
    await visible(row.getByText(/already/i))
    const stored = await h.call('getRole', { id: role.id })
    expect(stored.description).toBe('Before')
    expect(stored.memberCount).toBe(0)
    await openRole(h, role.id, role.name)
    expect(await page.getByLabel('Description').inputValue()).toBe('Before')
  })

  it('refuses to remove the last active administrator, says why, and writes nothing', async () => {
    const { page } = h
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Administrators'), adminAccess: true })
    const admin = await h.call('createUser', { email: `admin.${role.id.slice(0, 8)}@example.org`, roleId: role.id })
    await openRole(h, role.id, role.name)

    await page.getByRole('button', { name: `Remove ${admin.email} from role` }).click()
    await clickSave(page)
    await visible(
      page
        .getByRole('alert')
        .filter({ hasText: /administrator/i })
        .first()
    )
    expect((await h.call('getUser', { id: admin.id })).roleId).toBe(role.id)

    await page.reload()
    await visible(page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
    await visible(page.getByRole('button', { name: `Remove ${admin.email} from role` }))
    expect((await h.call('getUser', { id: admin.id })).status).toBe('active')
  })

  it('marks an invalid IP allow-list entry and writes nothing', async () => {
    const { page } = h
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Finance'), ipAccess: ['10.0.0.0/8'] })
    await openRole(h, role.id, role.name)

    const field = page.getByLabel('IP allow-list')
    await field.fill('10.0.0.0/8\n192.168.1.300')
    await field.blur()
    const saveButton = page.getByRole('button', { name: 'Save', exact: true })
    if (await saveButton.isEnabled()) await clickSave(page)
    await visible(
      page
        .getByText(/192\.168\.1\.300/)
        .filter({ hasNot: page.locator('textarea') })
        .first()
    )
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    expect((await h.call('getRole', { id: role.id })).ipAccess).toEqual(['10.0.0.0/8'])

    await openRole(h, role.id, role.name)
    expect(await page.getByLabel('IP allow-list').inputValue()).toBe('10.0.0.0/8')
  })
})

describe('text from users is shown as text', () => {
  it('never turns a role description, a name or a pasted entry into markup', async () => {
    const { page } = h
    const payload = '<img src=x onerror=alert(1)>'
    const dialogs: string[] = []
    page.on('dialog', (alert) => {
      dialogs.push(alert.message())
      void alert.dismiss()
    })
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('<b>Bold</b>'), description: payload })
    await h.call('createUser', { email: `xss.${role.id.slice(0, 8)}@example.org`, firstName: payload, roleId: role.id })
    await h.call('createUser', { email: `outsider.${role.id.slice(0, 8)}@example.org`, lastName: '<script>alert(2)</script>' })

    await h.open('#/roles')
    await visible(page.getByText(payload, { exact: true }).first())
    await visible(page.getByText(role.name, { exact: true }).first())

    await openRole(h, role.id, role.name)
    await visible(members(page).getByText(payload, { exact: true }))

    await page.getByRole('button', { name: 'Add existing' }).click()
    const drawer = dialog(page, 'Add existing users')
    await drawer.getByRole('searchbox', { name: 'Search users' }).fill(`outsider.${role.id.slice(0, 8)}`)
    await visible(drawer.getByText('<script>alert(2)</script>', { exact: true }))
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(payload)
    await visible(invite.getByRole('list', { name: 'Invalid entries' }))
    expect(await invite.getByRole('list', { name: 'Invalid entries' }).textContent()).toContain('onerror=alert(1)')

    expect(await page.locator('img[src="x"], b, script:not([src])').count()).toBe(0)
    expect(dialogs).toEqual([])
  })
})
