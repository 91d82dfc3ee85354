import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, unique, useHarness } from './harness'
import { eventually, openScreen, readClipboard, searchUsers, toasts, userRows, visible } from './screens'

const h = useHarness()
const TEMPLATE = 'https://intranet.example.org/accept?token={token}&email={email}'

/** An invited user of this test's own, opened in the Edit user drawer. */
async function openInvitedUser(): Promise<{ drawer: Locator; email: string; id: string }> {
  const email = `${unique('drawer').replace(' ', '.')}@example.org`
  await openScreen(h, '#/users', 'User Directory')
  const batch = await h.call('inviteUsers', { text: email, roleId: null })
  await searchUsers(h.page, email, 1)
  await userRows(h.page).first().getByRole('button').click()
  const drawer = dialog(h.page, 'Edit user')
  await visible(drawer)
  return { drawer, email, id: batch.results[0]?.userId ?? '' }
}

describe('the Edit user drawer’s invite', () => {
  it('asks before Revoke invite: Cancel keeps the invite, Revoke invite makes the user a draft', async () => {
    const { page } = h
    await openScreen(h, '#/users', 'User Directory')
    await h.call('updateSettings', { inviteUrlTemplate: null })
    const { drawer, id } = await openInvitedUser()
    await drawer.getByRole('button', { name: 'Revoke invite' }).click()
    const ask = page.getByRole('alertdialog', { name: 'Revoke this invite?' })
    await visible(ask)
    await ask.getByRole('button', { name: 'Cancel' }).click()
    await ask.waitFor({ state: 'detached' })
    expect((await h.call('getUser', { id })).status).toBe('invited')
    await visible(drawer.getByLabel('Invite token'))

    await drawer.getByRole('button', { name: 'Revoke invite' }).click()
    await visible(ask)
    await ask.getByRole('button', { name: 'Revoke invite' }).click()
    await drawer.getByLabel('Invite token').waitFor({ state: 'detached' })
    await eventually(async () => (await h.call('getUser', { id })).status).toBe('draft')
    expect(await drawer.getByLabel('Status').inputValue()).toBe('draft')
    await eventually(() => drawer.getByLabel('Status').evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true)
    await visible(toasts(page, /^Revoked the invite of/))
  })

  it('calls the bare token a token when no URL template is set, and a link once one is', async () => {
    const { page } = h
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await openScreen(h, '#/users', 'User Directory')
    await h.call('updateSettings', { inviteUrlTemplate: null })
    const first = await openInvitedUser()
    const token = first.drawer.getByLabel('Invite token')
    // The token alone: no scheme, no host, nothing but the token's own characters.
    await eventually(() => token.inputValue()).toMatch(/^[\w.-]{20,}$/)
    expect(await first.drawer.getByLabel('Invite link').count()).toBe(0)
    await first.drawer.getByRole('button', { name: 'Copy invite token' }).click()
    await eventually(() => readClipboard(page)).toBe(await token.inputValue())
    await visible(toasts(page, `Copied the invite token of ${first.email}.`))
    await page.keyboard.press('Escape')
    await first.drawer.waitFor({ state: 'detached' })

    await h.call('updateSettings', { inviteUrlTemplate: TEMPLATE })
    const second = await openInvitedUser()
    const link = second.drawer.getByLabel('Invite link')
    await eventually(() => link.inputValue()).toMatch(/^https:\/\/intranet\.example\.org\/accept\?token=/)
    await visible(second.drawer.getByRole('button', { name: 'Copy invite link' }))
    expect(await second.drawer.getByLabel('Invite token').count()).toBe(0)
    await h.call('updateSettings', { inviteUrlTemplate: null })
  })
})

describe('the Create user drawer', () => {
  it('copies the generated password', async () => {
    const { page } = h
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Passwords') })
    await h.open(`#/roles/${role.id}`)
    await page.getByRole('button', { name: 'Create new' }).click()
    const drawer = dialog(page, 'Create user')
    expect(await drawer.getByRole('button', { name: 'Copy password' }).count()).toBe(0)
    await drawer.getByRole('button', { name: 'Generate password' }).click()
    const password = drawer.getByLabel('Password', { exact: true })
    await eventually(async () => (await password.inputValue()).length).toBeGreaterThan(11)
    await drawer.getByRole('button', { name: 'Copy password' }).click()
    await eventually(() => readClipboard(page)).toBe(await password.inputValue())
    await visible(toasts(page, 'Copied the password.'))
  })
})
