import { describe, expect, it } from 'vitest'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, readClipboard, searchUsers, userRows, visible } from './screens'

const h = useHarness()

const INVALID = 'This invite is no longer valid'

/** An invited user of this test's own, and the link copied from their drawer in the directory. */
async function inviteAndCopyLink(): Promise<{ email: string; link: string }> {
  const { page } = h
  await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await openScreen(h, '#/users', 'User Directory')
  const email = `${unique('accept').replace(' ', '.')}@example.org`
  await h.call('updateSettings', { inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}&email={email}' })
  await h.call('inviteUsers', { text: email, roleId: null })
  await searchUsers(page, email, 1)
  await userRows(page).first().getByRole('button').click()
  const drawer = dialog(page, 'Edit user')
  await drawer.getByRole('button', { name: 'Copy invite link' }).click()
  await expect.poll(() => readClipboard(page)).toMatch(/^https:\/\/intranet\.example\.org\/accept\?token=/)
  const link = await readClipboard(page)
  await page.keyboard.press('Escape')
  await drawer.waitFor({ state: 'detached' })
  return { email, link }
}

async function userByEmail(email: string) {
  return (await h.call('listUsers', { filter: { search: email }, limit: 5 })).rows.find((user) => user.email === email) ?? null
}

describe('accepting an invite', () => {
  it('accepts a copied link after the policy was shown, makes the user active, and the link then stops working', async () => {
    const { page } = h
    const { email, link } = await inviteAndCopyLink()

    await page.getByRole('link', { name: 'Accept invite' }).click()
    await visible(page.getByRole('heading', { level: 1, name: 'Accept invite' }))
    const policy = (await h.call('getSettings', {})).passwordPolicyText
    await visible(page.getByText(`Password policy: ${policy}`))

    await page.getByLabel('Invite link or token').fill(link)
    await page.getByLabel('Password', { exact: true }).fill('short')
    await page.getByRole('button', { name: 'Accept invite' }).click()
    await visible(page.locator('#accept-password-error'))
    expect((await userByEmail(email))?.status).toBe('invited')

    await page.getByLabel('Password', { exact: true }).fill('a long enough password')
    await page.getByLabel('First name').fill('Ada')
    await page.getByLabel('Last name').fill('Lovelace')
    await page.getByRole('button', { name: 'Accept invite' }).click()
    await visible(page.getByRole('status').filter({ hasText: 'Invite accepted' }))
    expect(await userByEmail(email)).toMatchObject({ status: 'active', firstName: 'Ada', lastName: 'Lovelace', hasPassword: true })

    await page.getByLabel('Invite link or token').fill(link)
    await page.getByLabel('Password', { exact: true }).fill('a long enough password')
    await page.getByRole('button', { name: 'Accept invite' }).click()
    await visible(page.getByRole('alert').filter({ hasText: INVALID }))
  })

  it('says only that the invite is no longer valid for a made-up token, a revoked one and a bare token typed wrong', async () => {
    const { page } = h
    const { email, link } = await inviteAndCopyLink()
    const token = new URL(link).searchParams.get('token') ?? ''
    const user = await userByEmail(email)
    if (!user) throw new Error('The invited user is missing')
    await h.call('revokeInvite', { userId: user.id })

    await openScreen(h, '#/accept', 'Accept invite')
    for (const attempt of [token, `${token.slice(0, -2)}xx`, 'not-a-token', 'https://example.org/?token=nothing']) {
      await page.getByLabel('Invite link or token').fill(attempt)
      await page.getByLabel('Password', { exact: true }).fill('a long enough password')
      await page.getByRole('button', { name: 'Accept invite' }).click()
      const alert = page.getByRole('alert').filter({ hasText: INVALID })
      await visible(alert)
      expect((await alert.textContent())?.trim()).toBe(INVALID)
    }
    expect((await userByEmail(email))?.status).toBe('draft')
  })

  it.each(['light', 'dark'] as const)('has no axe violations in the %s theme, also with an error shown', async (theme) => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openScreen(h, '#/accept', 'Accept invite')
    await visible(page.getByText(/Password policy:/))
    await expectNoAxeViolations(page, `the Accept invite screen (${theme})`)
    await page.getByLabel('Invite link or token').fill('nothing')
    await page.getByLabel('Password', { exact: true }).fill('whatever123')
    await page.getByRole('button', { name: 'Accept invite' }).click()
    await visible(page.getByRole('alert').filter({ hasText: INVALID }))
    await expectNoAxeViolations(page, `the Accept invite screen with an error (${theme})`)
  })
})
