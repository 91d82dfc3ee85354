import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Download, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, searchUsers, userRows, visible } from './screens'

const h = useHarness()
const TEMPLATE = 'https://intranet.example.org/accept?token={token}&email={email}'

/** A role of this test's own with `count` pending invites, and its page opened. */
async function roleWithInvites(count: number): Promise<{ id: string; name: string; emails: string[] }> {
  await h.open('#/roles')
  await h.call('updateSettings', { inviteUrlTemplate: TEMPLATE })
  const role = await h.call('createRole', { name: unique('Export') })
  const tag = role.id.slice(0, 8)
  const emails = Array.from({ length: count }, (_, index) => `inv${index}.${tag}@example.org`)
  await h.call('inviteUsers', { text: emails.join('\n'), roleId: role.id })
  await h.open(`#/roles/${role.id}`)
  await visible(h.page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
  return { id: role.id, name: role.name, emails }
}

async function exportThrough(
  page: Page,
  opener: string,
  format: 'CSV' | 'JSON',
  bom = true
): Promise<{ download: Download; text: string }> {
  await page.getByRole('button', { name: opener, exact: true }).click()
  const exporter = dialog(page, 'Export invites')
  await visible(exporter)
  await exporter.getByRole('radio', { name: new RegExp(`^${format}`) }).check()
  if (format === 'CSV') {
    const box = exporter.getByRole('checkbox', { name: /byte order mark/ })
    if ((await box.isChecked()) !== bom) await box.click()
  }
  const downloaded = page.waitForEvent('download')
  await exporter.getByRole('button', { name: 'Export', exact: true }).click()
  const download = await downloaded
  await visible(exporter.getByRole('status').filter({ hasText: /^Saved/ }))
  await exporter.getByRole('button', { name: 'Close', exact: true }).click()
  const bytes = await readFile(await download.path())
  return { download, text: bytes.toString('utf8') }
}

type Row = Record<string, string>

describe('invite lists out', () => {
  it('exports a role’s pending invites from its page as CSV, downloaded and read back with working links', async () => {
    const { page } = h
    const role = await roleWithInvites(3)
    const { download, text } = await exportThrough(page, 'Export invites', 'CSV', true)
    expect(download.suggestedFilename()).toMatch(/\.csv$/)
    expect(text.charCodeAt(0)).toBe(0xfeff)
    const rows: Row[] = parse(text.slice(1), { columns: true })
    expect(rows.map((row) => row.email).sort()).toEqual([...role.emails].sort())
    for (const row of rows) {
      expect(row).toMatchObject({ role: role.name, status: 'invited' })
      expect(row.invite_link).toMatch(/^https:\/\/intranet\.example\.org\/accept\?token=[^&]+&email=/)
    }
    // A link from the file accepts the invite.
    const first = rows[0]
    if (!first?.invite_link) throw new Error('No link exported')
    expect((await h.tryCall('acceptInvite', { token: first.invite_link, password: 'long enough 1' })).ok).toBe(true)
  })

  it('exports JSON without a byte order mark, and a new URL template shows up in the next export', async () => {
    const { page } = h
    const role = await roleWithInvites(2)
    await h.call('updateSettings', { inviteUrlTemplate: 'https://welcome.example.com/{token}' })
    const { text } = await exportThrough(page, 'Export invites', 'JSON')
    const rows = JSON.parse(text) as Row[]
    expect(rows.map((row) => row.email).sort()).toEqual([...role.emails].sort())
    expect(rows.every((row) => row.invite_link?.startsWith('https://welcome.example.com/'))).toBe(true)
  })

  it('exports the directory’s selection as a user export with profile columns', async () => {
    const { page } = h
    const role = await roleWithInvites(2)
    await h.call('createUser', { email: `active.${role.id.slice(0, 8)}@example.org`, status: 'active', roleId: role.id, title: 'Lead' })
    await openScreen(h, '#/users', 'User Directory')
    await searchUsers(page, role.id.slice(0, 8), 3)
    await page.getByRole('checkbox', { name: 'Select all shown users' }).check()
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' })
    await bar.getByRole('button', { name: 'Export' }).click()
    const exporter = dialog(page, 'Export users')
    await visible(exporter.getByRole('radio', { name: 'The 3 users selected' }))
    const downloaded = page.waitForEvent('download')
    await exporter.getByRole('button', { name: 'Export', exact: true }).click()
    const bytes = await readFile(await (await downloaded).path())
    const rows: Row[] = parse(bytes.toString('utf8').replace(/^\uFEFF/, ''), { columns: true })
    expect(rows).toHaveLength(3)
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining(['title', 'location', 'tags', 'created_at']))
    const active = rows.find((row) => row.status === 'active')
    expect(active).toMatchObject({ title: 'Lead', invite_link: '' })
  })
})

describe('import from CSV', () => {
  it('previews per-row results with counts, writes nothing until Import, then applies and summarises', async () => {
    const { page } = h
    const role = await roleWithInvites(1)
    const tag = role.id.slice(0, 8)
    const existing = role.emails[0] ?? ''
    const csv = [
      'Email,First Name,last_name,role,status,shoe_size',
      `new1.${tag}@example.org,Nia,One,${role.name},,41`,
      `new2.${tag}@example.org,Noa,Two,,active,38`,
      `${existing},Changed,Name,,,40`,
      'not-an-address,Bad,Row,,,1',
      `NEW1.${tag}@example.org,Dup,Row,,,2`
    ].join('\r\n')
    await openScreen(h, '#/users', 'User Directory')
    await page.getByRole('button', { name: 'Import users' }).click()
    const importer = dialog(page, 'Import users')
    await importer.getByLabel('File to import').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    const counts = importer.getByRole('list', { name: 'Preview counts' }).getByRole('listitem')
    await expect.poll(() => counts.allTextContents()).toEqual(['2 new', '0 update', '1 unchanged', '0 skipped', '1 invalid', '1 duplicate'])
    const table = importer.getByRole('table', { name: 'Rows in the file' })
    await visible(table.getByRole('row').filter({ hasText: 'not-an-address' }).filter({ hasText: 'Invalid' }))
    await visible(importer.getByText(/ignored: shoe_size/))
    expect((await h.call('listUsers', { filter: { search: `new1.${tag}` }, limit: 5 })).total).toBe(0)

    await importer.getByRole('radio', { name: 'Update them from the file' }).check()
    await expect.poll(() => counts.allTextContents()).toEqual(['2 new', '1 update', '0 unchanged', '0 skipped', '1 invalid', '1 duplicate'])
    await importer.getByRole('button', { name: 'Import', exact: true }).click()
    await visible(importer.getByRole('status').filter({ hasText: 'Import finished: 2 new users, 1 user updated.' }))
    await importer.getByRole('button', { name: 'Close', exact: true }).click()

    await searchUsers(page, `.${tag}@`, 3)
    const created = (await h.call('listUsers', { filter: { search: `new1.${tag}` }, limit: 5 })).rows[0]
    expect(created).toMatchObject({ firstName: 'Nia', lastName: 'One', roleId: role.id, status: 'invited' })
    const updated = (await h.call('listUsers', { filter: { search: existing }, limit: 5 })).rows[0]
    expect(updated).toMatchObject({ firstName: 'Changed', lastName: 'Name' })
  })

  it('names what is wrong with a malformed file and writes nothing', async () => {
    const { page } = h
    await openScreen(h, '#/users', 'User Directory')
    const before = (await h.call('countUsers', {})).all
    await page.getByRole('button', { name: 'Import users' }).click()
    const importer = dialog(page, 'Import users')
    await importer
      .getByLabel('File to import')
      .setInputFiles({ name: 'names.csv', mimeType: 'text/csv', buffer: Buffer.from('name,phone\nAda,123\n') })
    await visible(importer.getByRole('alert').filter({ hasText: /email/i }))
    expect(await importer.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true)
    await importer.getByLabel('File to import').setInputFiles({
      name: 'utf16.csv',
      mimeType: 'text/csv',
      buffer: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\na@example.org\r\n', 'utf16le')])
    })
    await visible(importer.getByRole('alert').filter({ hasText: 'UTF-16' }))
    expect((await h.call('countUsers', {})).all).toBe(before)
  })

  it.each(['light', 'dark'] as const)('has no axe violations on the export and import dialogs in the %s theme', async (theme) => {
    const { page } = h
    await page.emulateMedia({ colorScheme: theme })
    await openScreen(h, '#/users', 'User Directory')
    await visible(userRows(page).first())
    await page.getByRole('button', { name: 'Export invites' }).click()
    await visible(dialog(page, 'Export'))
    await expectNoAxeViolations(page, `the Export dialog (${theme})`, '[role="dialog"]')
    await page.keyboard.press('Escape')
    await dialog(page, 'Export').waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Import users' }).click()
    const importer = dialog(page, 'Import users')
    await importer
      .getByLabel('File to import')
      .setInputFiles({ name: 'a.csv', mimeType: 'text/csv', buffer: Buffer.from(`email,role\nfresh.${theme}@example.org,Nope\nbad,\n`) })
    await visible(importer.getByRole('table', { name: 'Rows in the file' }))
    await expectNoAxeViolations(page, `the Import dialog with a preview (${theme})`, '[role="dialog"]')
  })
})
