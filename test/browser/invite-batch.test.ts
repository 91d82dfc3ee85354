import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { INVITE_EXPORT_COLUMNS, LIMITS } from '../../src-main/core/model'
import { dialog, unique, useHarness } from './harness'
import { eventually, visible } from './screens'

const h = useHarness()
const TEMPLATE = 'https://intranet.example.org/accept?token={token}&email={email}'

async function openNewRole(): Promise<{ id: string; name: string; tag: string }> {
  await h.open('#/roles')
  const role = await h.call('createRole', { name: unique('Batch') })
  await h.open(`#/roles/${role.id}`)
  await visible(h.page.getByRole('heading', { level: 1, name: `${role.name} Role` }))
  return { id: role.id, name: role.name, tag: role.id.slice(0, 8) }
}

async function openInvite(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Invite users' }).click()
  const invite = dialog(page, 'Invite users')
  await visible(invite)
  return invite
}

/** A paste as one input event, the way a paste arrives (typing it would take minutes). */
async function paste(field: Locator, text: string): Promise<void> {
  await field.evaluate((element, value) => {
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), 'value')?.set?.call(element, value)
    element.dispatchEvent(new Event('input', { bubbles: true }))
  }, text)
}

/** Export this batch from the invite result in `format`; the downloaded file's text. */
async function exportBatch(page: Page, invite: Locator, format: 'CSV' | 'JSON'): Promise<string> {
  await invite.getByRole('button', { name: 'Export this batch' }).click()
  const exporter = dialog(page, 'Export this batch')
  await visible(exporter)
  await exporter.getByRole('radio', { name: new RegExp(`^${format}`) }).check()
  if (format === 'CSV') await exporter.getByRole('checkbox', { name: /byte order mark/ }).uncheck()
  const downloaded = page.waitForEvent('download')
  await exporter.getByRole('button', { name: 'Export', exact: true }).click()
  const download = await downloaded
  await visible(exporter.getByRole('status').filter({ hasText: /^Saved/ }))
  await exporter.getByRole('button', { name: 'Close', exact: true }).click()
  await exporter.waitFor({ state: 'detached' })
  return (await readFile(await download.path())).toString('utf8')
}

describe('the invite result', () => {
  it('exports exactly this batch, in its order, as CSV or JSON, leaving out whoever is no longer invited', async () => {
    const { page } = h
    await h.open('#/roles')
    await h.call('updateSettings', { inviteUrlTemplate: TEMPLATE })
    const role = await openNewRole()
    const { tag } = role
    const pending = `pending.${tag}@example.org`
    const active = `active.${tag}@example.org`
    await h.call('inviteUsers', { text: pending, roleId: null })
    await h.call('createUser', { email: active, status: 'active' })
    // Invited before this batch, into this role, and not pasted: not part of the batch.
    await h.call('inviteUsers', { text: `earlier.${tag}@example.org`, roleId: role.id })

    const invite = await openInvite(page)
    const zed = `zed.${tag}@example.org`
    const amy = `amy.${tag}@example.org`
    await invite.getByLabel('Emails').fill(`${zed}, not-an-address, ${pending}, ${active}, ${amy}, ${zed}`)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    const batchOrder = [zed, pending, amy]

    const csv = parse(await exportBatch(page, invite, 'CSV'), { columns: true }) as Array<Record<string, string>>
    expect(csv.map((row) => row.email)).toEqual(batchOrder)
    expect(Object.keys(csv[0] ?? {})).toEqual([...INVITE_EXPORT_COLUMNS])
    for (const row of csv) {
      expect(row).toMatchObject({ role: role.name, status: 'invited' })
      expect(row.invite_link).toMatch(/^https:\/\/intranet\.example\.org\/accept\?token=/)
    }

    const amyUser = (await h.call('listUsers', { filter: { search: amy }, limit: 1 })).rows[0]
    await h.call('revokeInvite', { userId: amyUser?.id ?? '' })
    const json = JSON.parse(await exportBatch(page, invite, 'JSON')) as Array<Record<string, unknown>>
    expect(json.map((row) => row.email)).toEqual([zed, pending])
    expect(json[0]).toMatchObject({ role: role.name, status: 'invited' })
  })

  it('offers no export when the batch invited nobody', async () => {
    const { page } = h
    const role = await openNewRole()
    await h.call('createUser', { email: `taken.${role.tag}@example.org`, status: 'active' })
    const invite = await openInvite(page)
    await invite.getByLabel('Emails').fill(`taken.${role.tag}@example.org`)
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    expect(await invite.getByRole('button', { name: 'Export this batch' }).isDisabled()).toBe(true)
  })
})

describe('a spreadsheet pasted with its header row', () => {
  it('reads the header as column names, says so, and invites each row with its names', async () => {
    const { page } = h
    const role = await openNewRole()
    const invite = await openInvite(page)
    await paste(
      invite.getByLabel('Emails'),
      `Email\tFirst name\tLast name\nann.${role.tag}@example.org\tAnn\tSmith\nbob.${role.tag}@example.org\tBob\tJones\n`
    )
    await eventually(() => invite.getByRole('list', { name: 'Entry counts' }).getByRole('listitem').allTextContents()).toEqual([
      '2 valid',
      '0 invalid',
      '0 duplicates'
    ])
    await visible(invite.getByText(/is read as column names and not invited/))
    await invite.getByRole('button', { name: 'Invite', exact: true }).click()
    await visible(invite.getByRole('list', { name: 'Results per address' }))
    const members = await h.call('listUsers', { filter: { roleId: role.id }, sort: { field: 'name', direction: 'asc' } })
    expect(members.rows.map((user) => [user.email, user.firstName, user.lastName])).toEqual([
      [`ann.${role.tag}@example.org`, 'Ann', 'Smith'],
      [`bob.${role.tag}@example.org`, 'Bob', 'Jones']
    ])
  })
})

describe('the Invite button', () => {
  it('is disabled while nothing valid would be sent: an empty, all-invalid or over-the-limit paste', async () => {
    const { page } = h
    const role = await openNewRole()
    const invite = await openInvite(page)
    const button = invite.getByRole('button', { name: 'Invite', exact: true })
    expect(await button.isDisabled()).toBe(true)

    const emails = invite.getByLabel('Emails')
    await emails.fill('not-an-address; neither@')
    await eventually(() => invite.getByRole('list', { name: 'Entry counts' }).getByRole('listitem').first().textContent()).toBe('0 valid')
    expect(await button.isDisabled()).toBe(true)

    await emails.fill(`fine.${role.tag}@example.org`)
    await eventually(() => button.isEnabled()).toBe(true)

    const over = Array.from({ length: LIMITS.pasteEntries + 1 }, (_, index) => `p${index}.${role.tag}@example.org`).join('\n')
    await paste(emails, over)
    await visible(invite.getByText(/at most 50,000 can be invited at once/))
    expect(await button.isDisabled()).toBe(true)
    // The shortcut sends nothing either.
    await emails.press('Control+Enter')
    await visible(invite.getByText(/at most 50,000 can be invited at once/))
    expect(await invite.getByRole('list', { name: 'Results per address' }).count()).toBe(0)
    expect((await h.call('getRole', { id: role.id })).memberCount).toBe(0)
  })

  it('names the shortcut ⌘+Enter on macOS and Ctrl+Enter elsewhere', async () => {
    const { page } = h
    await openNewRole()
    const invite = await openInvite(page)
    await visible(invite.getByText(/Ctrl\+Enter to invite/))

    const browser = h.context.browser()
    if (!browser) throw new Error('No browser')
    const mac = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36'
    })
    try {
      const macPage = await mac.newPage()
      // The host hands its secret to the page once, in the address; this tab keeps it in its session.
      const secret = String(await page.evaluate("sessionStorage.getItem('rolekeeper-host-secret')"))
      const address = new URL(page.url())
      address.searchParams.set('secret', secret)
      await macPage.goto(address.toString())
      const macInvite = await openInvite(macPage)
      await visible(macInvite.getByText(/⌘\+Enter to invite/))
      expect(await macInvite.getByText(/Ctrl/).count()).toBe(0)
    } finally {
      await mac.close()
    }
  })
})
