import { describe, expect, it } from 'vitest'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, searchUsers, userRows, visible } from './screens'

const h = useHarness()

describe('settings', () => {
  it('validates the invite URL template, previews a sample link, and the saved template builds the next invite link', async () => {
    const { page } = h
    await openScreen(h, '#/settings', 'Settings')
    const template = page.getByLabel('Invite URL template')
    const save = page.getByRole('button', { name: 'Save settings' })

    await template.fill('ftp://files.example.org/{token}')
    await visible(page.getByText('Only http and https links are allowed'))
    expect(await template.getAttribute('aria-invalid')).toBe('true')
    expect(await save.isDisabled()).toBe(true)

    await template.fill('https://intranet.example.org/join')
    await visible(page.getByText('The template must contain {token}'))
    expect(await save.isDisabled()).toBe(true)

    await template.fill('https://people.example.net/welcome/{token}?who={email}')
    await expect
      .poll(() => page.getByTestId('sample-link').textContent())
      .toBe('https://people.example.net/welcome/q7Xk2mB9sample?who=ada.lovelace%2Bteam%40example.org')
    await page.getByLabel('Invite lifetime (days)').fill('3')
    await save.click()
    await expect.poll(() => save.isDisabled()).toBe(true)
    expect(await h.call('getSettings', {})).toMatchObject({
      inviteUrlTemplate: 'https://people.example.net/welcome/{token}?who={email}',
      inviteLifetimeDays: 3
    })

    // The next invite's link follows the new template, and expires after the new lifetime.
    const email = `${unique('tpl').replace(' ', '.')}@example.org`
    await openScreen(h, '#/users', 'User Directory')
    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(email)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    await invite.getByRole('button', { name: 'Close', exact: true }).click()
    await searchUsers(page, email, 1)
    await userRows(page).first().getByRole('button').click()
    const link = dialog(page, 'Edit user').getByLabel('Invite link')
    await expect.poll(() => link.inputValue()).toMatch(/^https:\/\/people\.example\.net\/welcome\/[^?]+\?who=/)
    expect(await link.inputValue()).toContain(`?who=${encodeURIComponent(email)}`)
    const user = (await h.call('listUsers', { filter: { search: email }, limit: 1 })).rows[0]
    const days = (Date.parse(user?.inviteExpiresAt ?? '') - Date.parse(user?.invitedAt ?? '')) / 86_400_000
    expect(days).toBeCloseTo(3, 3)
  })

  it('switches the password policy, tests passwords against it, and tests a custom pattern before it is saved', async () => {
    const { page } = h
    await openScreen(h, '#/settings', 'Settings')
    await page.getByRole('radio', { name: /^Strong/ }).check()
    await visible(page.getByText('Save the settings to test this policy.'))
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect.poll(async () => (await h.call('getSettings', {})).passwordPolicy.kind).toBe('strong')

    const tester = page.getByLabel('Test a password')
    await tester.fill('short')
    await visible(page.getByText(/The password needs/))
    await tester.fill('Correct-Horse-9-Battery')
    await visible(page.getByText('Satisfies the policy.'))

    await page.getByRole('radio', { name: /^Custom pattern/ }).check()
    await page.getByLabel('Pattern', { exact: true }).fill('[0-9]{4')
    await visible(page.getByText('Not a valid regular expression'))
    await page.getByLabel('Pattern', { exact: true }).fill('[0-9]{4}')
    await tester.fill('12345')
    await visible(page.getByText('Does not match the pattern [0-9]{4}'))
    await tester.fill('1234')
    await visible(page.getByText('Matches the pattern.'))
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect.poll(async () => (await h.call('getSettings', {})).passwordPolicy).toEqual({ kind: 'custom', pattern: '[0-9]{4}' })
    await h.call('updateSettings', { passwordPolicy: { kind: 'min8' } })
  })

  it('applies a theme at once and keeps it for the next start', async () => {
    const { page } = h
    await openScreen(h, '#/settings', 'Settings')
    const theme = (): Promise<string | null> => page.evaluate('document.documentElement.dataset.theme ?? null') as Promise<string | null>
    await page.getByRole('radio', { name: 'Dark' }).check()
    await expect.poll(theme).toBe('dark')
    await page.reload()
    await visible(page.getByRole('heading', { level: 1, name: 'Settings' }))
    await expect.poll(theme).toBe('dark')
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true)
    await page.getByRole('radio', { name: 'System' }).check()
    await expect.poll(theme).toBe(null)
    expect((await h.call('getSettings', {})).theme).toBe('system')
  })

  it('shows the database file in use and backs it up as a download', async () => {
    const { page } = h
    await openScreen(h, '#/settings', 'Settings')
    await visible(page.getByText(h.dbFile, { exact: true }))
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Back up database' }).click()
    const file = await download
    expect(file.suggestedFilename()).toMatch(/\.db$/)
    const head = await readHead(await file.path(), 16)
    expect(head.toString('latin1')).toBe('SQLite format 3\u0000')
  })

  it.each(['light', 'dark'] as const)('has no axe violations in the %s theme, also with a field error', async (scheme) => {
    const { page } = h
    await page.emulateMedia({ colorScheme: scheme })
    await openScreen(h, '#/settings', 'Settings')
    await visible(page.getByText(/^\/.*\.db$/))
    await expectNoAxeViolations(page, `the Settings screen (${scheme})`)
    await page.getByLabel('Invite URL template').fill('javascript:alert({token})')
    await page.getByRole('radio', { name: /^Custom pattern/ }).check()
    await visible(page.getByText('Only http and https links are allowed'))
    await expectNoAxeViolations(page, `the Settings screen with errors (${scheme})`)
  })
})

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    await handle.read(buffer, 0, bytes, 0)
    return buffer
  } finally {
    await handle.close()
  }
}
