import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, unique, useHarness } from './harness'
import { eventually, visible } from './screens'

const h = useHarness()

async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === element.ownerDocument.activeElement)
}

function members(page: Page): Locator {
  return page.getByRole('list', { name: 'Members' })
}

/** A role of this test's own with three members (a, b, c by name), its page opened. */
async function roleWithMembers(): Promise<{ id: string; name: string; emails: string[] }> {
  await h.open('#/roles')
  const role = await h.call('createRole', { name: unique('Focus') })
  const tag = role.id.slice(0, 8)
  const emails = ['a', 'b', 'c'].map((letter) => `${letter}.${tag}@example.org`)
  for (const [index, email] of emails.entries()) {
    await h.call('createUser', { email, firstName: `${'ABC'[index] ?? ''}person`, roleId: role.id })
  }
  await h.open(`#/roles/${role.id}`)
  await visible(h.page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
  await visible(
    members(h.page)
      .getByRole('listitem')
      .filter({ hasText: emails[2] ?? '' })
  )
  return { id: role.id, name: role.name, emails }
}

describe('focus on the role page', () => {
  it('stays on the row after Remove … from role and after Undo remove, by mouse or keyboard', async () => {
    const { page } = h
    const { emails } = await roleWithMembers()
    const email = emails[1] ?? ''
    await page.getByRole('button', { name: `Remove ${email} from role` }).click()
    const undo = page.getByRole('button', { name: `Undo remove ${email}` })
    await eventually(() => isFocused(undo)).toBe(true)

    await page.keyboard.press('Enter')
    const remove = page.getByRole('button', { name: `Remove ${email} from role` })
    await eventually(() => isFocused(remove)).toBe(true)
    await page.keyboard.press('Space')
    await eventually(() => isFocused(undo)).toBe(true)
  })

  it('moves to the next row when a staged new user is taken off the list', async () => {
    const { page } = h
    const { id, emails } = await roleWithMembers()
    const fresh = `new.${id.slice(0, 8)}@example.org`
    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    await drawer.getByLabel('Email').fill(fresh)
    await drawer.getByRole('button', { name: 'Save user' }).click()
    await drawer.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: `Remove ${fresh} from role` }).click()
    await members(page).getByRole('listitem').filter({ hasText: fresh }).waitFor({ state: 'detached' })
    // The staged row was first; the first member's row takes its place and the focus.
    await eventually(() => isFocused(page.getByRole('button', { name: `Remove ${emails[0] ?? ''} from role` }))).toBe(true)
  })

  it('stays on Save after Save and stay, and after Ctrl+S', async () => {
    const { page } = h
    const { emails } = await roleWithMembers()
    const save = page.getByRole('button', { name: 'Save', exact: true })
    await page.getByRole('button', { name: `Remove ${emails[0] ?? ''} from role` }).click()
    await page.getByRole('button', { name: 'More save options' }).click()
    await page.getByRole('menuitem', { name: 'Save and stay' }).click()
    await eventually(() => save.isDisabled()).toBe(true)
    expect(await isFocused(save)).toBe(true)

    await page.getByRole('button', { name: `Remove ${emails[1] ?? ''} from role` }).click()
    await save.focus()
    await page.keyboard.press('Control+s')
    await eventually(() => save.isDisabled()).toBe(true)
    expect(await isFocused(save)).toBe(true)
    // A disabled Save does nothing when pressed.
    await page.keyboard.press('Enter')
    expect(await page.getByRole('heading', { level: 1, name: /Role$/ }).count()).toBe(1)
  })
})
