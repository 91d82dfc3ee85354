import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, unique, useHarness, type Harness } from './harness'
import { toasts } from './screens'

const h = useHarness()

/** A fresh role of this test's own, and its page opened. */
async function openNewRole(harness: Harness, label = 'Team'): Promise<{ id: string; name: string }> {
  await harness.open('#/roles')
  const role = await harness.call('createRole', { name: unique(label) })
  await openRole(harness, role.id, role.name)
  return { id: role.id, name: role.name }
}

async function openRole(harness: Harness, id: string, name: string): Promise<void> {
  await harness.open(`#/roles/${id}`)
  await expect.poll(() => harness.page.getByRole('heading', { level: 1, name: `${name} Role` }).isVisible()).toBe(true)
}

function members(page: Page) {
  return page.getByRole('list', { name: 'Members' })
}

async function visible(locator: ReturnType<Page['getByRole']>): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 })
}

/** Save and stay, through the Save button's menu. */
async function saveAndStay(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'More save options' }).click()
  await page.getByRole('menuitem', { name: 'Save and stay' }).click()
  await expect.poll(() => page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true)
}

describe('inviting users from the role page', () => {
  it('invites a pasted list into the role, shows each outcome, and the member list refreshes', async () => {
    const { page } = h
    const role = await openNewRole(h, 'Support')
    const tag = role.id.slice(0, 8)
    const ann = `Ann.${tag}@Example.org`
    const bob = `bob.${tag}@example.org`
    const active = `active.${tag}@example.org`
    await h.call('createUser', { email: active, status: 'active' })

    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await visible(invite)
    await expect.poll(() => invite.getByLabel('Role').isDisabled()).toBe(true)
    expect(await invite.getByLabel('Role').locator('option:checked').textContent()).toBe(role.name)

    await invite.getByLabel('Emails').fill(`${ann}, Bob Stone <${bob}>;\n${ann.toLowerCase()}\nnot-an-address ${active}`)
    const invalidEntries = invite.getByRole('list', { name: 'Invalid entries' })
    await visible(invalidEntries)
    const entryCounts = invite.getByRole('list', { name: 'Entry counts' }).getByRole('listitem')
    await expect.poll(() => entryCounts.allTextContents()).toEqual(['3 valid', '1 invalid', '1 duplicate'])
    const mark = invalidEntries.getByRole('listitem')
    expect(await mark.count()).toBe(1)
    expect(await mark.locator('code').textContent()).toBe('not-an-address')
    expect((await mark.textContent())?.length).toBeGreaterThan('not-an-address'.length)

    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    const results = invite.getByRole('list', { name: 'Results per address' })
    await visible(results)
    const outcome = (address: string) => results.getByRole('listitem').filter({ hasText: address })
    expect(await outcome(ann).first().textContent()).toContain('Invited')
    expect(await outcome(bob).textContent()).toContain('Invited')
    expect(await outcome('not-an-address').textContent()).toContain('Invalid')
    expect(await outcome(active).textContent()).toContain('Already a user')
    expect(await results.getByRole('listitem').filter({ hasText: 'Duplicate' }).count()).toBe(1)
    const counts = invite.getByRole('list', { name: 'Outcome counts' })
    expect(await counts.getByRole('listitem').filter({ hasText: 'Invited' }).first().textContent()).toMatch(/^2/)

    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await invite.getByRole('button', { name: 'Copy invite links' }).click()
    await visible(toasts(page, 'Copied 2 invite links.'))
    // The page's clipboard is typed only in the renderer's own build.
    const clipboard = await page.evaluate(() =>
      (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText()
    )
    const lines = clipboard.split('\n').map((line) => line.split('\t'))
    expect(lines.map(([address]) => address)).toEqual([ann, bob])
    expect(lines.every((line) => (line[1] ?? '').length >= 20)).toBe(true)

    await invite.getByRole('button', { name: 'Close', exact: true }).click()
    await invite.waitFor({ state: 'detached' })
    await visible(members(page).getByRole('listitem').filter({ hasText: bob }))
    expect(await members(page).getByRole('listitem').filter({ hasText: 'Bob Stone' }).count()).toBe(1)
    expect(await members(page).getByRole('listitem').filter({ hasText: ann }).count()).toBe(1)

    const stored = await h.call('listUsers', { filter: { roleId: role.id } })
    expect(stored.rows.map((user) => [user.email, user.status]).sort()).toEqual([
      [ann, 'invited'],
      [bob, 'invited']
    ])
  })

  it('shows a paste of many thousand addresses as in progress while it is invited, with a Cancel the database agrees with', async () => {
    const { page } = h
    const role = await openNewRole(h, 'Crowd')
    const tag = role.id.slice(0, 8)
    const text = Array.from({ length: 50_000 }, (_, index) => `p${index}.${tag}@example.org`).join('\n')
    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await visible(invite)
    // One input event for the whole paste, as a paste makes (typing it in would take minutes).
    await invite.getByLabel('Emails').evaluate((element, value) => {
      Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')?.set?.call(element, value)
      element.dispatchEvent(new Event('input', { bubbles: true }))
    }, text)
    const entryCounts = invite.getByRole('list', { name: 'Entry counts' }).getByRole('listitem')
    await expect.poll(() => entryCounts.first().textContent(), { timeout: 30_000 }).toBe('50,000 valid')

    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    // The bar says it is working until the host's first progress report, then how far it is.
    const bar = invite.getByRole('progressbar', { name: /^(Working…|Inviting: \d+%)$/ })
    await visible(bar)
    // At once: waiting for the footer to settle could outlast the invite.
    await invite.getByRole('button', { name: 'Cancel', exact: true }).dispatchEvent('click')
    // Cancel races the invite (about two seconds here). That a cancel rolls back everything is
    // proven without a race in test/core/long-write and test/ipc/operations; here the page must
    // say what happened, and the database must agree with it either way.
    const cancelled = toasts(page, 'Invite cancelled: nobody was invited')
    const finished = invite.getByRole('list', { name: 'Outcome counts' })
    // If the invite won the race, the click met the results view or closed the dialog.
    const settled = async (): Promise<boolean> => (await cancelled.count()) + (await finished.count()) > 0 || !(await invite.isVisible())
    await expect.poll(settled, { timeout: 30_000 }).toBe(true)
    await bar.waitFor({ state: 'detached' })
    const members = (await h.call('getRole', { id: role.id })).memberCount
    if ((await cancelled.count()) > 0) {
      expect(members).toBe(0)
      // The paste is still there to invite again.
      expect((await invite.getByLabel('Emails').inputValue()).length).toBe(text.length)
    } else {
      expect(members).toBe(50_000)
    }
  })
})

describe('creating a user from the role page', () => {
  it('stages the user from the drawer and creates them as a member on Save', async () => {
    const { page } = h
    const role = await openNewRole(h, 'Editors')
    const email = `grace.${role.id.slice(0, 8)}@example.org`

    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    await visible(drawer)
    await visible(drawer.getByText(/At least 8 characters/))
    await drawer.getByLabel('Email').fill(email)
    await drawer.getByLabel('First name').fill('Grace')
    await drawer.getByLabel('Last name').fill('Hopper')
    await drawer.getByRole('button', { name: 'Generate password' }).click()
    await expect.poll(() => drawer.getByLabel('Password', { exact: true }).inputValue()).toMatch(/^.{16,}$/)
    await drawer.getByLabel('Title').fill('Rear admiral')
    await drawer.getByLabel('Tags').fill('navy, compilers')
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await drawer.waitFor({ state: 'detached' })

    const staged = members(page).getByRole('listitem').filter({ hasText: email })
    await visible(staged)
    expect(await staged.textContent()).toContain('New')
    expect(await h.call('listUsers', { filter: { search: email } })).toMatchObject({ total: 0 })

    await saveAndStay(page)
    await openRole(h, role.id, role.name)
    await visible(members(page).getByRole('listitem').filter({ hasText: 'Grace Hopper' }))
    const [user] = (await h.call('listUsers', { filter: { roleId: role.id } })).rows
    expect(user).toMatchObject({ email, firstName: 'Grace', lastName: 'Hopper', title: 'Rear admiral', hasPassword: true })
    expect(user?.tags).toEqual(['navy', 'compilers'])
  })
})

describe('adding existing users', () => {
  it('warns that a user from another role will be moved, and moves them on Save', async () => {
    const { page } = h
    await h.open('#/roles')
    const other = await h.call('createRole', { name: unique('Sales') })
    const tag = other.id.slice(0, 8)
    const mover = await h.call('createUser', {
      email: `mover.${tag}@example.org`,
      firstName: 'Mo',
      lastName: `Ver${tag}`,
      roleId: other.id
    })
    const stray = await h.call('createUser', { email: `stray.${tag}@example.org`, firstName: 'Stray', lastName: `Cat${tag}` })
    const role = await h.call('createRole', { name: unique('Marketing') })
    await openRole(h, role.id, role.name)

    await page.getByRole('button', { name: 'Add existing' }).click()
    const drawer = dialog(page, 'Add existing users')
    await visible(drawer)
    await expect.poll(() => drawer.getByRole('button', { name: 'Add selected' }).isDisabled()).toBe(true)
    await drawer.getByRole('searchbox', { name: 'Search users' }).fill(tag)
    const moverBox = drawer.getByRole('checkbox', { name: new RegExp(mover.email) })
    await visible(moverBox)
    await expect.poll(() => drawer.getByRole('checkbox').count()).toBe(2)
    expect(await drawer.getByText(other.name, { exact: true }).count()).toBe(1)
    expect(await drawer.getByText('Public', { exact: true }).count()).toBe(1)

    await drawer.getByRole('checkbox', { name: new RegExp(stray.email) }).check()
    expect(await drawer.getByText(/will be moved/).count()).toBe(0)
    await moverBox.check()
    const warning = drawer.getByRole('status').filter({ hasText: 'will be moved' })
    await visible(warning)
    expect(await warning.textContent()).toContain(`from ${other.name} to ${role.name}`)

    await drawer.getByRole('button', { name: 'Add selected' }).click()
    await drawer.waitFor({ state: 'detached' })
    await visible(members(page).getByRole('listitem').filter({ hasText: mover.email }))
    expect((await h.call('getUser', { id: mover.id })).roleId).toBe(other.id)

    await saveAndStay(page)
    expect((await h.call('getUser', { id: mover.id })).roleId).toBe(role.id)
    expect((await h.call('getUser', { id: stray.id })).roleId).toBe(role.id)
    expect((await h.call('listUsers', { filter: { roleId: other.id } })).total).toBe(0)
    await openRole(h, other.id, other.name)
    await visible(page.getByText(/No members yet/))
  })
})

describe('removing members', () => {
  async function roleWithMember(harness: Harness) {
    await harness.open('#/roles')
    const role = await harness.call('createRole', { name: unique('Operations') })
    const member = await harness.call('createUser', {
      email: `member.${role.id.slice(0, 8)}@example.org`,
      status: 'suspended',
      roleId: role.id
    })
    const keeper = await harness.call('createUser', { email: `keeper.${role.id.slice(0, 8)}@example.org`, roleId: role.id })
    await openRole(harness, role.id, role.name)
    await visible(members(harness.page).getByRole('listitem').filter({ hasText: member.email }))
    return { role, member, keeper }
  }

  it('removes a member on Save: they become Public and keep their status', async () => {
    const { page } = h
    const { role, member, keeper } = await roleWithMember(h)
    await page.getByRole('button', { name: `Remove ${member.email} from role` }).click()
    await visible(page.getByRole('button', { name: `Undo remove ${member.email}` }))
    expect((await h.call('getUser', { id: member.id })).roleId).toBe(role.id)

    await saveAndStay(page)
    const stored = await h.call('getUser', { id: member.id })
    expect(stored).toMatchObject({ roleId: null, roleName: null, status: 'suspended' })
    expect((await h.call('getUser', { id: keeper.id })).roleId).toBe(role.id)
    await openRole(h, role.id, role.name)
    await visible(members(page).getByRole('listitem').filter({ hasText: keeper.email }))
    expect(await members(page).getByRole('listitem').filter({ hasText: member.email }).count()).toBe(0)
  })

  it('undoes a staged removal, leaving nothing to save', async () => {
    const { page } = h
    const { role, member } = await roleWithMember(h)
    await page.getByRole('button', { name: `Remove ${member.email} from role` }).click()
    await page.getByRole('button', { name: `Undo remove ${member.email}` }).click()
    await visible(page.getByRole('button', { name: `Remove ${member.email} from role` }))
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true)
    expect((await h.call('getUser', { id: member.id })).roleId).toBe(role.id)
  })

  it('discards all staged changes from the Save menu', async () => {
    const { page } = h
    const { role, member } = await roleWithMember(h)
    const email = `never.${role.id.slice(0, 8)}@example.org`
    await page.getByRole('button', { name: `Remove ${member.email} from role` }).click()
    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    await drawer.getByLabel('Email').fill(email)
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await drawer.waitFor({ state: 'detached' })
    await visible(members(page).getByRole('listitem').filter({ hasText: email }))

    await page.getByRole('button', { name: 'More save options' }).click()
    await page.getByRole('menuitem', { name: 'Discard all changes' }).click()
    await visible(page.getByRole('button', { name: `Remove ${member.email} from role` }))
    expect(await members(page).getByRole('listitem').filter({ hasText: email }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true)

    await openRole(h, role.id, role.name)
    await visible(page.getByRole('button', { name: `Remove ${member.email} from role` }))
    expect((await h.call('listUsers', { filter: { search: email } })).total).toBe(0)
  })

  it('asks before leaving with unsaved changes: Keep editing stays, Discard changes leaves', async () => {
    const { page } = h
    const { role, member } = await roleWithMember(h)
    await page.getByRole('button', { name: `Remove ${member.email} from role` }).click()

    await page.getByRole('button', { name: 'Back' }).click()
    const prompt = page.getByRole('alertdialog', { name: 'Unsaved changes' })
    await visible(prompt)
    await prompt.getByRole('button', { name: 'Keep editing' }).click()
    await prompt.waitFor({ state: 'detached' })
    await visible(page.getByRole('button', { name: `Undo remove ${member.email}` }))

    await page
      .getByRole('link', { name: 'Roles' })
      .or(page.getByRole('button', { name: 'Back' }))
      .first()
      .click()
    await visible(prompt)
    await prompt.getByRole('button', { name: 'Discard changes' }).click()
    await visible(page.getByRole('heading', { level: 1, name: 'Roles' }))
    expect((await h.call('getUser', { id: member.id })).roleId).toBe(role.id)
  })
})
