import { readFile } from 'node:fs/promises'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { keyFilesFor } from '../../src-main/host/keys'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, readClipboard, searchUsers, userRows, visible } from './screens'

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

  it('exports the verification key as a JWKS that verifies a link copied from the invite dialog', async () => {
    const { page } = h
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await openScreen(h, '#/users', 'User Directory')
    await h.call('updateSettings', { inviteUrlTemplate: null })
    const email = `${unique('jwks').replace(' ', '.')}@example.org`
    await page.getByRole('button', { name: 'Invite users' }).click()
    const invite = dialog(page, 'Invite users')
    await invite.getByLabel('Emails').fill(email)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await invite.getByRole('button', { name: 'Copy invite links' }).click()
    await expect.poll(() => readClipboard(page)).toContain(email)
    const token = (await readClipboard(page)).split('\t')[1]?.trim() ?? ''
    await invite.getByRole('button', { name: 'Close', exact: true }).click()

    await openScreen(h, '#/settings', 'Settings')
    const { issuer } = await h.call('getInviteVerification', {})
    await visible(page.getByText(issuer, { exact: true }))
    await visible(page.getByText(/Only the latest invite counts/))
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export verification key' }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe('rolekeeper-verification-key.jwks.json')
    const jwks = JSON.parse(await readFile(await file.path(), 'utf8')) as JSONWebKeySet // the downloaded file
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, algorithms: ['EdDSA'] })
    expect(payload).toMatchObject({ email, scope: 'invite' })
  })

  it('saves and clears the Directus target, says what the SECRET is, and keeps the SECRET out of the database and exports', async () => {
    const { page } = h
    const secret = `Directus-${unique('secret').replace(' ', '-')}`
    await openScreen(h, '#/settings', 'Settings')
    const section = page.getByRole('form', { name: 'Directus target' })
    await visible(section.getByText(/The SECRET is the Directus server’s master key: whoever holds it can sign admin sessions/))
    const save = section.getByRole('button', { name: 'Save Directus target' })
    await section.getByLabel('Directus public URL').fill('ftp://cms.example.org')
    await visible(section.getByText('Only http and https addresses are allowed'))
    expect(await save.isDisabled()).toBe(true)
    await section.getByLabel('Directus public URL').fill('https://cms.example.org/')
    await section.getByLabel('Directus SECRET').fill(secret)
    await save.click()
    await visible(section.getByText('A SECRET is stored.'))
    expect(await section.getByLabel('Directus SECRET').inputValue()).toBe('')
    expect(await h.call('getDirectusTarget', {})).toEqual({ publicUrl: 'https://cms.example.org', secretStored: true })

    // After a reload the page knows a SECRET is stored, and never sees it.
    await page.reload()
    await visible(section.getByText('A SECRET is stored.'))
    expect(await section.getByLabel('Directus public URL').inputValue()).toBe('https://cms.example.org')
    expect(await page.content()).not.toContain(secret)

    const downloaded = page.waitForEvent('download')
    await h.call('exportInvites', { exportId: crypto.randomUUID(), scope: { kind: 'users', selection: { filter: {} } }, format: 'json' })
    const exported = await readFile(await (await downloaded).path(), 'utf8')
    expect(exported).toContain('"email"')
    expect(exported).not.toContain(secret)
    const database = await readFile(h.dbFile)
    const wal = await readFile(`${h.dbFile}-wal`).catch(() => Buffer.alloc(0))
    expect(Buffer.concat([database, wal]).includes(Buffer.from(secret))).toBe(false)
    expect(JSON.stringify(await h.call('listActivity', { limit: 100 }))).not.toContain(secret)
    expect(await readFile(keyFilesFor(h.dbFile).directusTarget, 'utf8')).toMatch(/^rolekeeper-directus-target 1 plain\n/)

    await section.getByRole('button', { name: 'Clear Directus target' }).click()
    await visible(section.getByText('No SECRET is stored.'))
    expect(await section.getByLabel('Directus public URL').inputValue()).toBe('')
    expect(await h.call('getDirectusTarget', {})).toEqual({ publicUrl: null, secretStored: false })
    await expect(readFile(keyFilesFor(h.dbFile).directusTarget)).rejects.toThrow()
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
