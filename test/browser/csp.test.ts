/**
 * The page under the app's Content-Security-Policy (the browser host sends the desktop's): no
 * dialog or drawer may need anything the policy refuses, such as a `<style>` element injected
 * when it opens. Each violation would be a console error in the desktop app.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { seed } from '../../scripts/seed'
import { dialog, useHarness } from './harness'

let roleId = ''
const h = useHarness({
  seed: (store) => {
    const summary = seed(store, { users: 40, roles: 2 })
    roleId = summary.roles.find((role) => !role.adminAccess)?.id ?? ''
  }
})

/** Every CSP violation the page reports from now on, as "directive: what was blocked". */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) console.push(message.text())
  })
  // A string, as it runs in the page (whose DOM types this Node project does not have).
  await page.addInitScript(`
    window.__cspViolations = []
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(event.effectiveDirective + ': ' + event.blockedURI)
    })
  `)
  return async () => {
    const reported = await page.evaluate(() => Reflect.get(globalThis, '__cspViolations'))
    return [...console, ...(Array.isArray(reported) ? reported.map(String) : ['the page kept no list of violations'])]
  }
}

describe('dialogs under the Content-Security-Policy', () => {
  it('opening and closing every kind of dialog and drawer breaks no rule of the policy', async () => {
    const { page } = h
    const violations = await watchViolations(page)
    await h.open(`#/roles/${roleId}`)
    await page.getByRole('heading', { level: 1 }).waitFor()

    for (const [button, title] of [
      ['Invite users', 'Invite users'],
      ['Create new', 'Create user'],
      ['Add existing', 'Add existing users'],
      ['Delete role', null]
    ] as const) {
      await page.getByRole('button', { name: button, exact: true }).click()
      const opened = title === null ? page.getByRole('alertdialog').or(page.getByRole('dialog')) : dialog(page, title)
      await opened.first().waitFor()
      await page.keyboard.press('Escape')
      await opened.first().waitFor({ state: 'detached' })
    }

    await h.open('#/roles')
    await page.getByRole('button', { name: 'Create role' }).click()
    await page.getByRole('dialog').first().waitFor()
    await page.keyboard.press('Escape')

    expect(await violations()).toEqual([])
  })
})
