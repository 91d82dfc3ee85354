import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { ldifFormat } from '../../src-main/core/formats/ldif'
import { scimFormat } from '../../src-main/core/formats/scim'
import { dialog, expectNoAxeViolations, unique, useHarness } from './harness'
import { openScreen, userRows, visible } from './screens'

const h = useHarness()

describe('hand-off files from the Export dialog', () => {
  it('writes the whole directory as LDIF under the base DN typed in, after saying whom LDAP will refuse', async () => {
    const { page } = h
    await h.open('#/users')
    const lonely = await h.call('createRole', { name: unique('Lonely') })
    const tag = lonely.id.slice(0, 8)
    await h.call('createUser', { email: `ldap.${tag}@example.org`, status: 'active' })
    await h.call('createUser', { email: `ünicode.${tag}@exämple.org`, status: 'draft' })
    await openScreen(h, '#/users', 'User Directory')
    await visible(userRows(page).first())
    await page.getByRole('button', { name: 'Export invites' }).click()
    const exporter = dialog(page, 'Export')
    await exporter.getByRole('radio', { name: 'The whole directory: every user and every role' }).check()
    await exporter.getByRole('radio', { name: 'LDAP (LDIF)' }).check()
    await visible(exporter.getByText('An LDAP directory (OpenLDAP, 389 DS, …): load it with ldapadd'))

    const baseDn = exporter.getByLabel('Base DN')
    await baseDn.fill('not a dn')
    await visible(exporter.getByText(/is not a distinguished name/))
    await expect.poll(() => exporter.getByRole('button', { name: 'Export', exact: true }).isDisabled()).toBe(true)
    await baseDn.fill('dc=example,dc=org')

    const refusals = exporter.getByRole('list', { name: 'What LDAP (LDIF) will refuse' })
    await visible(refusals.getByText(`ünicode.${tag}@exämple.org`))
    await exporter.getByRole('checkbox', { name: /Leave out the .* LDAP \(LDIF\) will refuse/ }).check()
    await expectNoAxeViolations(page, 'the Export dialog with hand-off refusals', '[role="dialog"]')

    const downloaded = page.waitForEvent('download')
    await exporter.getByRole('button', { name: 'Export', exact: true }).click()
    const download = await downloaded
    await visible(exporter.getByRole('status').filter({ hasText: /^Saved/ }))
    expect(download.suggestedFilename()).toMatch(/-ldif\.ldif$/)
    const directory = ldifFormat.read((await readFile(await download.path())).toString('utf8'))
    const emails = directory.users.map((user) => user.email)
    expect(emails).toContain(`ldap.${tag}@example.org`)
    expect(emails).not.toContain(`ünicode.${tag}@exämple.org`)
    // A role without members travels too (its group holds the empty DN).
    expect(directory.roles.map((role) => role.name)).toContain(lonely.name)
    await exporter.getByRole('button', { name: 'Close', exact: true }).click()

    // The base DN is offered again next time.
    await page.getByRole('button', { name: 'Export invites' }).click()
    await dialog(page, 'Export').getByRole('radio', { name: 'LDAP (LDIF)' }).check()
    await expect.poll(() => dialog(page, 'Export').getByLabel('Base DN').inputValue()).toBe('dc=example,dc=org')
  })

  it('writes a role’s pending invites as a SCIM 2.0 bulk request', async () => {
    const { page } = h
    await h.open('#/roles')
    const role = await h.call('createRole', { name: unique('Scim') })
    const tag = role.id.slice(0, 8)
    const emails = [`s1.${tag}@example.org`, `s2.${tag}@example.org`]
    await h.call('inviteUsers', { text: emails.join('\n'), roleId: role.id })
    await h.open(`#/roles/${role.id}`)
    await visible(page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
    await page.getByRole('button', { name: 'Export invites' }).click()
    const exporter = dialog(page, 'Export invites')
    await exporter.getByRole('radio', { name: 'SCIM 2.0' }).check()
    await visible(exporter.getByText('2 users.'))
    const downloaded = page.waitForEvent('download')
    await exporter.getByRole('button', { name: 'Export', exact: true }).click()
    const download = await downloaded
    const text = (await readFile(await download.path())).toString('utf8')
    expect(JSON.parse(text)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'] })
    expect(
      scimFormat
        .read(text)
        .users.map((user) => user.email)
        .sort()
    ).toEqual(emails)
  })
})

describe('bringing a directory in through the Import dialog', () => {
  it('reads a Keycloak realm export, names the roles of users who hold several, and applies the chosen rule', async () => {
    const { page } = h
    await openScreen(h, '#/users', 'User Directory')
    await page.getByRole('button', { name: 'Import users' }).click()
    const importer = dialog(page, 'Import users')
    const realm = await readFile(new URL('../fixtures/keycloak/realm-export.json', import.meta.url))
    await importer.getByLabel('File to import').setInputFiles({ name: 'realm-export.json', mimeType: 'application/json', buffer: realm })
    await expect
      .poll(() => importer.getByLabel('Read the file as').locator('option:checked').textContent())
      .toBe('Keycloak (recognised from the content)')
    const rule = importer.getByRole('group', { name: /several roles; Rolekeeper keeps one per user/ })
    await visible(rule)
    const ann = importer.getByRole('table', { name: 'Rows in the file' }).getByRole('row').filter({ hasText: 'ann.lee@example.org' })
    await visible(ann.getByText('also held: auditors'))
    await rule.getByRole('radio', { name: 'Keep the first of them in this order' }).check()
    // The order starts by name: auditors before editors.
    await visible(ann.getByText('also held: editors'))
    await rule.getByRole('button', { name: 'Move editors up' }).click()
    await visible(ann.getByText('also held: auditors'))
    await rule.getByRole('radio', { name: 'Skip these users' }).check()
    await visible(ann.getByText('Skipped', { exact: true }))
    await expectNoAxeViolations(page, 'the Import dialog with a Keycloak preview', '[role="dialog"]')
    await importer.getByRole('button', { name: 'Import', exact: true }).click()
    await visible(importer.getByRole('status').filter({ hasText: /^Import finished/ }))
    expect((await h.call('listUsers', { filter: { search: 'ann.lee@example.org' } })).total).toBe(0)
    expect((await h.call('listUsers', { filter: { search: 'bob@example.org' } })).rows[0]?.status).toBe('suspended')
  })
})
