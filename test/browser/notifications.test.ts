import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, unique, useHarness } from './harness'
import { openScreen, searchUsers, toasts, userRows, usersTable, visible } from './screens'

const h = useHarness()

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1024, height: 700 }
] as const

interface Box {
  x: number
  y: number
  width: number
  height: number
}

const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox()
  if (!box) throw new Error('Not on screen')
  return box
}

/** Every toast on screen keeps off every button of the overlay and off its footer. */
async function expectClearOf(page: Page, overlay: Locator): Promise<void> {
  const shown = await toasts(page).all()
  expect(shown.length).toBeGreaterThan(0)
  const targets = [...(await overlay.getByRole('button').all()), ...(await overlay.locator('.drawer-footer, .dialog-footer').all())]
  expect(targets.length).toBeGreaterThan(1)
  for (const toast of shown) {
    const toastBox = await boxOf(toast)
    for (const target of targets) {
      const box = await target.boundingBox()
      if (!box) continue
      const name = (await target.getAttribute('aria-label')) ?? (await target.textContent())?.trim()
      expect(overlap(toastBox, box), `a toast covers “${name}”`).toBe(false)
    }
  }
}

/** A role of this test's own with a member, its page opened. */
async function openRoleWithMember(): Promise<{ id: string; name: string; memberEmail: string }> {
  await h.open('#/roles')
  const role = await h.call('createRole', { name: unique('Toasts') })
  const memberEmail = `member.${role.id.slice(0, 8)}@example.org`
  await h.call('createUser', { email: memberEmail, roleId: role.id })
  await h.open(`#/roles/${role.id}`)
  await visible(h.page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
  await visible(h.page.getByRole('list', { name: 'Members' }).getByRole('listitem').filter({ hasText: memberEmail }))
  return { id: role.id, name: role.name, memberEmail }
}

/** Remove the member and Save and stay: the page shows "Saved the … role" as a toast. */
async function saveWithToast(page: Page, memberEmail: string): Promise<Locator> {
  await page.getByRole('button', { name: `Remove ${memberEmail} from role` }).click()
  await page.getByRole('button', { name: 'More save options' }).click()
  await page.getByRole('menuitem', { name: 'Save and stay' }).click()
  const toast = toasts(page, /^Saved the .* role/)
  await visible(toast)
  return toast
}

describe.each(VIEWPORTS)('toasts at $width×$height', (viewport) => {
  it('stay clear of the Invite dialog’s buttons and the Create user drawer’s, and their ✕ leaves the drawer and its edits alone', async () => {
    const { page } = h
    await page.setViewportSize(viewport)
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    const role = await openRoleWithMember()
    const tag = role.id.slice(0, 8)

    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(`a.${tag}@example.org, b.${tag}@example.org`)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await invite.getByRole('button', { name: 'Copy invite links' }).click()
    await visible(toasts(page, 'Copied 2 invite links.'))
    await expectClearOf(page, invite)
    await invite.getByRole('button', { name: 'Close', exact: true }).click()
    await invite.waitFor({ state: 'detached' })

    await page.getByRole('button', { name: 'Create new' }).click()
    const create = dialog(page, 'Create user')
    await create.getByLabel('Email').fill(`typed.${tag}@example.org`)
    await create.getByRole('button', { name: 'Generate password' }).click()
    await create.getByRole('button', { name: 'Copy password' }).click()
    const copied = toasts(page, 'Copied the password.')
    await visible(copied)
    await expectClearOf(page, create)

    await copied.getByRole('button', { name: 'Dismiss' }).click()
    await copied.waitFor({ state: 'detached' })
    // Not a click outside the drawer: no question, the drawer and what was typed stay.
    expect(await page.getByRole('alertdialog', { name: 'Discard changes?' }).count()).toBe(0)
    await visible(create)
    expect(await create.getByLabel('Email').inputValue()).toBe(`typed.${tag}@example.org`)

    // Esc, with a toast over the drawer, still belongs to the drawer (which asks, as it holds edits).
    await create.getByRole('button', { name: 'Copy password' }).click()
    await visible(toasts(page, 'Copied the password.'))
    await page.keyboard.press('Escape')
    const discard = page.getByRole('alertdialog', { name: 'Discard changes?' })
    await visible(discard)
    await discard.getByRole('button', { name: 'Discard changes' }).click()
    await create.waitFor({ state: 'detached' })
  })

  it('shown before a drawer or dialog opens, stay clear of it and can still be dismissed', async () => {
    const { page } = h
    await page.setViewportSize(viewport)
    const role = await openRoleWithMember()
    const saved = await saveWithToast(page, role.memberEmail)

    await page.getByRole('button', { name: 'Add existing' }).click()
    const add = dialog(page, 'Add existing users')
    await visible(add.getByRole('button', { name: 'Add selected' }))
    await expectClearOf(page, add)
    await saved.getByRole('button', { name: 'Dismiss' }).click()
    await saved.waitFor({ state: 'detached' })
    await visible(add)
    await page.keyboard.press('Escape')
    await add.waitFor({ state: 'detached' })

    // A centred dialog (bulk Assign role) with a toast from the bulk action before it.
    const tag = unique('bulk').replace(' ', '')
    await h.call('createUser', { email: `${tag}@example.org`, roleId: role.id })
    await openScreen(h, '#/users', 'User Directory')
    await searchUsers(page, tag, 1)
    await userRows(page).first().getByRole('checkbox').check()
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' })
    await bar.getByRole('button', { name: 'Remove role' }).click()
    await page.getByRole('alertdialog', { name: 'Remove role' }).getByRole('button', { name: 'Remove role' }).click()
    await visible(toasts(page, /^Removed the role of 1 user/))
    // In the directory itself the toast keeps off the table's rows.
    const table = await boxOf(usersTable(page))
    for (const toast of await toasts(page).all()) expect(overlap(await boxOf(toast), table)).toBe(false)

    await userRows(page).first().getByRole('checkbox').check()
    await bar.getByRole('button', { name: 'Assign role' }).click()
    const assign = dialog(page, 'Assign role')
    await visible(assign)
    await expectClearOf(page, assign)
  })
})

describe('a toast', () => {
  it('is announced politely and waits while the pointer is on it', async () => {
    const { page } = h
    const role = await openRoleWithMember()
    await page.getByRole('button', { name: `Remove ${role.memberEmail} from role` }).click()
    await page.getByRole('button', { name: 'More save options' }).click()
    await page.getByRole('menuitem', { name: 'Save and stay' }).click()
    // Read out once, politely, for about a second after it appears: look often.
    const announced = page.locator('[role="status"][aria-live="polite"]').filter({ hasText: /Saved the .* role/ })
    await expect.poll(() => announced.count(), { interval: 20, timeout: 10_000 }).toBeGreaterThan(0)
    const saved = toasts(page, /^Saved the .* role/)
    await visible(saved)
    expect(
      await page
        .getByRole('alert')
        .filter({ hasText: /Saved the/ })
        .count()
    ).toBe(0)

    await saved.hover()
    // Past its six seconds: a hovered toast does not go away.
    await page.waitForTimeout(7500)
    await visible(saved)
    await page.mouse.move(700, 300)
    await saved.waitFor({ state: 'detached', timeout: 15_000 })
  })

  it('is one per outcome: an export says where the file went once, in the dialog', async () => {
    const { page } = h
    const role = await openRoleWithMember()
    await h.call('inviteUsers', { text: `inv.${role.id.slice(0, 8)}@example.org`, roleId: role.id })
    await page.getByRole('button', { name: 'Export invites' }).click()
    const exporter = dialog(page, 'Export invites')
    const downloaded = page.waitForEvent('download')
    await exporter.getByRole('button', { name: 'Export', exact: true }).click()
    await downloaded
    await visible(exporter.getByRole('status').filter({ hasText: /^Saved 1 row/ }))
    await exporter.getByRole('button', { name: 'Close', exact: true }).click()
    await exporter.waitFor({ state: 'detached' })
    expect(await toasts(page).count()).toBe(0)
  })
})
