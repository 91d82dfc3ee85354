/**
 * The page's side of two desktop habits: Show in folder where a save happened, and the Opening
 * database dialog with the check's progress and Cancel. The browser host downloads its files
 * and sends no progress, so these tests stand in for the desktop where it differs: the saved
 * file's id the desktop adds to an outcome, and the progress events its preload delivers.
 * Everything else is the real page on the real host.
 */
import type { Page, Route } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { CALL_PREFIX } from '../../src-main/host/protocol'
import { dialog, useHarness } from './harness'
import { openScreen, visible } from './screens'

const h = useHarness()
const SAVED_ID = '6f2b7f0e-8f1d-4e4f-9a43-1c0e7d3b2a10'

/** Give `call`'s answers the id the desktop would, and record what Show in folder sends. */
async function asOnTheDesktop(page: Page, call: 'exportInvites' | 'backupDatabase'): Promise<unknown[]> {
  const shown: unknown[] = []
  await page.route(`**${CALL_PREFIX}${call}`, async (route: Route) => {
    const response = await route.fetch()
    const answer: unknown = await response.json()
    const value: unknown = typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'value') : null
    if (typeof value === 'object' && value !== null) Reflect.set(value, 'savedFileId', SAVED_ID)
    await route.fulfill({ response, json: answer })
  })
  await page.route(`**${CALL_PREFIX}showSavedFile`, async (route: Route) => {
    shown.push(route.request().postDataJSON())
    await route.fulfill({ json: { ok: true, value: { shown: true } } })
  })
  return shown
}

/**
 * The desktop's progress events in the page: the host's page shim defines `rolekeeperShell`
 * without `onProgress`; this adds one the test drives with `window.__progress(...)`.
 */
async function withProgressEvents(page: Page): Promise<void> {
  // A string, as it runs in the page (whose DOM types this Node project does not have).
  await page.addInitScript(`
    const listeners = new Set()
    window.__progress = (progress) => listeners.forEach((listener) => listener(progress))
    const define = Object.defineProperty
    Object.defineProperty = function (target, key, descriptor) {
      if (target === window && key === 'rolekeeperShell') {
        const onProgress = (listener) => {
          listeners.add(listener)
          return () => listeners.delete(listener)
        }
        descriptor = { ...descriptor, value: Object.freeze({ ...descriptor.value, onProgress }) }
      }
      return define(target, key, descriptor)
    }
  `)
}

describe('Show in folder', () => {
  it('after a backup, beside where it says the copy went, naming the file by its id only', async () => {
    const { page } = h
    const shown = await asOnTheDesktop(page, 'backupDatabase')
    await openScreen(h, '#/settings', 'Settings')
    const downloaded = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Back up database' }).click()
    await downloaded
    const saved = page.getByRole('status').filter({ hasText: /^Backed up to / })
    await visible(saved)
    await page.getByRole('button', { name: 'Show in folder' }).click()
    await expect.poll(() => shown).toEqual([{ savedFileId: SAVED_ID }])
  })

  it('after an export, in the Export dialog', async () => {
    const { page } = h
    const shown = await asOnTheDesktop(page, 'exportInvites')
    await h.open('#/roles')
    const role = await h.call('createRole', { name: `Show ${Date.now()}` })
    await h.call('inviteUsers', { text: `a.${role.id.slice(0, 8)}@example.org`, roleId: role.id })
    await h.open(`#/roles/${role.id}`)
    await page.getByRole('button', { name: 'Export invites', exact: true }).click()
    const exporter = dialog(page, 'Export invites')
    const downloaded = page.waitForEvent('download')
    await exporter.getByRole('button', { name: 'Export', exact: true }).click()
    await downloaded
    await exporter.getByRole('button', { name: 'Show in folder' }).click()
    await expect.poll(() => shown).toEqual([{ savedFileId: SAVED_ID }])
  })

  it('not where the file was a download (the browser host as it is)', async () => {
    const { page } = h
    await openScreen(h, '#/settings', 'Settings')
    const downloaded = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Back up database' }).click()
    await downloaded
    await visible(page.getByRole('status').filter({ hasText: /^Backed up to / }))
    expect(await page.getByRole('button', { name: 'Show in folder' }).count()).toBe(0)
  })
})

describe('Opening database', () => {
  it('shows the check’s progress once it is reported, and Cancel stops it with the database in use kept', async () => {
    const { page } = h
    await withProgressEvents(page)
    // The open waits for the check; it answers as the desktop does once Cancel has stopped it.
    let answer: (body: unknown) => void = () => undefined
    let operationId = ''
    await page.route(`**${CALL_PREFIX}openDatabase`, async (route: Route) => {
      operationId = String(Reflect.get(route.request().postDataJSON() ?? {}, 'operationId'))
      const body = await new Promise((resolve) => (answer = resolve))
      await route.fulfill({ json: body })
    })
    const cancels: unknown[] = []
    await page.route(`**${CALL_PREFIX}cancelOperation`, async (route: Route) => {
      cancels.push(route.request().postDataJSON())
      answer({ ok: false, error: { code: 'cancelled', message: 'Opening the database was cancelled; nothing was changed.' } })
      await route.fulfill({ json: { ok: true, value: { cancelled: true } } })
    })

    await openScreen(h, '#/settings', 'Settings')
    await page.getByRole('button', { name: 'Open database' }).click()
    await expect.poll(() => operationId).toMatch(/^[0-9a-f-]{36}$/)
    // Nothing covers the page while the open dialog would be up.
    expect(await page.getByRole('dialog', { name: 'Opening database' }).count()).toBe(0)

    await page.evaluate(`window.__progress({ operationId: ${JSON.stringify(operationId)}, done: 420, total: 1000 })`)
    const opening = dialog(page, 'Opening database')
    await visible(opening)
    await visible(opening.getByRole('progressbar', { name: 'Checking the file: 42%' }))
    await opening.getByRole('button', { name: 'Cancel' }).click()
    await opening.waitFor({ state: 'detached' })
    expect(cancels).toEqual([{ operationId }])
    // A cancel is no error: nothing is said, and the page goes on with the same database.
    expect((await page.getByRole('alert').allTextContents()).filter((text) => text.trim() !== '')).toEqual([])
    await visible(page.getByText(h.dbFile, { exact: true }))
    expect(await page.getByRole('button', { name: 'Open database' }).isEnabled()).toBe(true)
  })
})
