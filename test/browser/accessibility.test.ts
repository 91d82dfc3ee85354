import type { Locator, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { seed, type SeedSummary } from '../../scripts/seed'
import { dialog, expectNoAxeViolations, useHarness } from './harness'

let summary: SeedSummary | null = null
const h = useHarness({
  seed: (store) => {
    summary = seed(store, { users: 120, roles: 4 })
  }
})

let role: { id: string; name: string } = { id: '', name: '' }
let otherRoleNames: string[] = []
beforeAll(() => {
  const found = summary?.roles.find((candidate) => !candidate.adminAccess && candidate.members > 0)
  if (!found) throw new Error('The seed made no ordinary role with members')
  role = { id: found.id, name: found.name }
  otherRoleNames = (summary?.roles ?? []).filter((candidate) => candidate.id !== found.id).map((candidate) => candidate.name)
})

async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 })
}

async function openRolePage(page: Page): Promise<void> {
  await h.open(`#/roles/${role.id}`)
  await visible(page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
  await visible(page.getByRole('list', { name: 'Members' }).getByRole('listitem').first())
}

/** Presses Tab until `target` has the focus, as someone without a mouse would. */
async function tabTo(page: Page, target: Locator, limit = 80): Promise<void> {
  const handle = await target.elementHandle()
  if (!handle) throw new Error('Nothing to tab to')
  for (let step = 0; step < limit; step++) {
    if (await handle.evaluate((element) => element === element.ownerDocument.activeElement)) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${await handle.evaluate((element) => element.outerHTML.slice(0, 120))}`)
}

async function focusedName(page: Page): Promise<string> {
  const focused = page.locator(':focus')
  return (await focused.getAttribute('aria-label')) ?? (await focused.textContent())?.trim() ?? ''
}

async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === element.ownerDocument.activeElement)
}

describe.each(['light', 'dark'] as const)('axe-core in the %s theme', (theme) => {
  it('finds no violations on the roles list, the role page, each drawer and the invite dialog', { timeout: 90_000 }, async () => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })

    await h.open('#/roles')
    await visible(page.getByRole('heading', { level: 1, name: 'Roles' }))
    await visible(page.getByText(role.name, { exact: true }).first())
    await expectNoAxeViolations(page, `the roles list (${theme})`)

    await openRolePage(page)
    await expectNoAxeViolations(page, `the role page (${theme})`)

    await page.getByRole('button', { name: 'Create new' }).click()
    const create = dialog(page, 'Create user')
    await visible(create.getByText(/Password policy/))
    await create.getByLabel('Email').fill('not an address')
    await create.getByRole('button', { name: 'Save user' }).click()
    await visible(create.getByLabel('Email').and(page.locator('[aria-invalid="true"]')))
    await expectNoAxeViolations(page, `the Create user drawer with a field error (${theme})`, '[role="dialog"]')
    await page.keyboard.press('Escape')
    const confirm = page.getByRole('alertdialog', { name: 'Discard changes?' })
    await visible(confirm)
    await expectNoAxeViolations(page, `the discard question (${theme})`, '[role="alertdialog"]')
    await confirm.getByRole('button', { name: 'Discard changes' }).click()
    await create.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: 'Add existing' }).click()
    const add = dialog(page, 'Add existing users')
    const boxes = add.getByRole('checkbox')
    await visible(boxes.first())
    const moving = add.getByRole('checkbox', { name: new RegExp(`(${otherRoleNames.join('|')})$`) }).first()
    await moving.check()
    await visible(add.getByRole('status').filter({ hasText: 'will be moved' }))
    await expectNoAxeViolations(page, `the Add existing users drawer (${theme})`, '[role="dialog"]')
    await add.getByRole('button', { name: 'Add selected' }).click()
    await add.waitFor({ state: 'detached' })
    await expectNoAxeViolations(page, `the role page with staged changes (${theme})`)

    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(`new.${theme}@example.org, not-valid, new.${theme}@example.org`)
    await visible(invite.getByRole('list', { name: 'Invalid entries' }))
    await expectNoAxeViolations(page, `the Invite users dialog (${theme})`, '[role="dialog"]')
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    await expectNoAxeViolations(page, `the invite results (${theme})`, '[role="dialog"]')
    await invite.getByRole('button', { name: 'Close', exact: true }).click()
  })

  it('finds no violations with a toast over the invite results, nor in Export this batch', async () => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openRolePage(page)
    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(`batch.${theme}@example.org`)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))

    // A toast over the dialog: the whole page, toast included, stays clean.
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await invite.getByRole('button', { name: 'Copy invite links' }).click()
    await visible(
      page
        .getByRole('region', { name: /^Notifications/ })
        .getByRole('listitem')
        .first()
    )
    await expectNoAxeViolations(page, `the invite results with a toast (${theme})`)

    await invite.getByRole('button', { name: 'Export this batch' }).click()
    const exporter = dialog(page, 'Export this batch')
    await visible(exporter)
    await expectNoAxeViolations(page, `the Export this batch dialog (${theme})`, '[role="dialog"]')
    await exporter.getByRole('button', { name: 'Cancel', exact: true }).click()
    await exporter.waitFor({ state: 'detached' })
    await invite.getByRole('button', { name: 'Close', exact: true }).click()
  })
})

describe('keyboard only', () => {
  it('opens Invite users, types, invites with Ctrl+Enter, closes, and focus returns to the opener', async () => {
    const { page } = h
    await openRolePage(page)
    const opener = page.getByRole('button', { name: 'Invite users' })
    await tabTo(page, opener)
    await page.keyboard.press('Enter')
    const invite = dialog(page, 'Invite users')
    await visible(invite)
    expect(await isFocused(invite.getByLabel('Emails'))).toBe(true)

    await page.keyboard.type('keyboard.one@example.org\nkeyboard.two@example.org')
    await page.keyboard.press('Control+Enter')
    const results = invite.getByRole('list', { name: 'Results per address' })
    await visible(results)
    expect(await results.getByRole('listitem').filter({ hasText: 'Invited' }).count()).toBe(2)

    await tabTo(page, invite.getByRole('button', { name: 'Close', exact: true }), 10)
    await page.keyboard.press('Enter')
    await invite.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)

    // Esc closes straight away when nothing was typed.
    await page.keyboard.press('Enter')
    await visible(invite)
    await page.keyboard.press('Escape')
    await invite.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)
  })

  it('opens and closes the Create user drawer, asking before Esc drops what was typed', async () => {
    const { page } = h
    await openRolePage(page)
    const opener = page.getByRole('button', { name: 'Create new' })
    await tabTo(page, opener)
    await page.keyboard.press('Enter')
    const drawer = dialog(page, 'Create user')
    await visible(drawer)
    await expect.poll(() => isFocused(drawer.getByLabel('Email'))).toBe(true)

    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)

    await page.keyboard.press('Enter')
    await visible(drawer)
    await page.keyboard.type('half.typed@example.org')
    await page.keyboard.press('Escape')
    const confirm = page.getByRole('alertdialog', { name: 'Discard changes?' })
    await visible(confirm)
    expect(await focusedName(page)).toBe('Keep editing')
    await page.keyboard.press('Enter')
    await confirm.waitFor({ state: 'detached' })
    expect(await drawer.getByLabel('Email').inputValue()).toBe('half.typed@example.org')
    await expect.poll(() => isFocused(drawer.getByLabel('Email'))).toBe(true)

    await page.keyboard.press('Escape')
    await visible(confirm)
    await page.keyboard.press('Tab')
    expect(await focusedName(page)).toBe('Discard changes')
    await page.keyboard.press('Enter')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)
  })

  it('picks users in Add existing users with the arrow keys and Space, stages them, and focus returns', async () => {
    const { page } = h
    await openRolePage(page)
    const opener = page.getByRole('button', { name: 'Add existing' })
    await tabTo(page, opener)
    await page.keyboard.press('Enter')
    const drawer = dialog(page, 'Add existing users')
    await visible(drawer.getByRole('checkbox').first())
    expect(await isFocused(drawer.getByRole('searchbox', { name: 'Search users' }))).toBe(true)

    await page.keyboard.press('Tab')
    await expect.poll(() => page.locator(':focus').getAttribute('data-index')).toBe('0')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.locator(':focus').getAttribute('data-index')).toBe('2')
    await page.keyboard.press('Space')
    expect(await drawer.getByRole('checkbox', { checked: true }).count()).toBe(1)
    // One Tab leaves the list: it is a single stop, not one per user.
    await page.keyboard.press('Tab')
    expect(await page.locator(':focus').getAttribute('type')).not.toBe('checkbox')
    await tabTo(page, drawer.getByRole('button', { name: 'Add selected' }), 10)
    await page.keyboard.press('Enter')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)
    await visible(page.getByRole('list', { name: 'Members' }).getByText('New', { exact: true }).first())

    await page.keyboard.press('Enter')
    await visible(drawer)
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'detached' })
    await expect.poll(() => isFocused(opener)).toBe(true)
  })
})
