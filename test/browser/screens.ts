/** Helpers shared by the browser tests of the directory, activity, settings and accept screens. */
import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Harness } from './harness'

export async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 })
}

/** Opens a screen by its route and waits for its heading. */
export async function openScreen(h: Harness, route: string, heading: string): Promise<void> {
  await h.open(route)
  await visible(h.page.getByRole('heading', { level: 1, name: heading }))
}

export function usersTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Users' })
}

/** The data rows on screen (the header row left out). */
export function userRows(page: Page): Locator {
  return usersTable(page)
    .getByRole('row')
    .filter({ has: page.getByRole('cell') })
}

/** Types into Search users and waits until the rows on screen are the answer: as many as expected, each holding `text`. */
export async function searchUsers(page: Page, text: string, expectedRows: number): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search users' }).fill(text)
  const wanted = text.toLowerCase()
  await expect
    .poll(
      async () => {
        const rows = await userRows(page).allTextContents()
        return rows.length === expectedRows && rows.every((row) => row.toLowerCase().includes(wanted))
      },
      { timeout: 10_000 }
    )
    .toBe(true)
}

/** What the page's clipboard holds (the context needs the clipboard-read permission). */
export async function readClipboard(page: Page): Promise<string> {
  // A string expression: this file is type-checked without the DOM library.
  return String(await page.evaluate('navigator.clipboard.readText()'))
}

/** The directory's "N users" line under its heading. */
export async function userCountText(page: Page): Promise<string> {
  return ((await page.locator('.page-subtitle').textContent()) ?? '').trim()
}

/** The toasts on screen, in the notifications region; those holding `text` when given. */
export function toasts(page: Page, text?: string | RegExp): Locator {
  const shown = page.getByRole('region', { name: /^Notifications/ }).getByRole('listitem')
  return text === undefined ? shown : shown.filter({ hasText: text })
}

/** `expect.poll` with room for a loaded machine: the page answers in its own time, not within one second. */
export function eventually<T>(read: () => T | Promise<T>) {
  return expect.poll(read, { timeout: 10_000 })
}
