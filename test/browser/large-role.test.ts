import type { Locator } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { seed, type SeedSummary } from '../../scripts/seed'
import { dialog, useHarness } from './harness'

const MEMBERS = 100_000
const OUTSIDERS = 400
/** Far below what one page of members holds: the list renders only what is on screen. */
const MAX_DOM_ROWS = 100

let summary: SeedSummary | null = null
const h = useHarness({
  seed: (store) => {
    summary = seed(store, { users: MEMBERS + OUTSIDERS, roles: 3, membersInFirstRole: MEMBERS })
  }
})

async function visible(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout })
}

let large: { id: string; name: string } = { id: '', name: '' }
beforeAll(() => {
  const role = summary?.roles.find((candidate) => candidate.members === MEMBERS)
  if (!role) throw new Error('The seed did not make a role with 100,000 members')
  large = { id: role.id, name: role.name }
})

describe('a role with 100,000 members', () => {
  it('opens at once, scrolls with a bounded number of rows, and its member search answers', async () => {
    const { page } = h
    await h.open(`#/roles/${large.id}`)
    await visible(page.getByRole('heading', { level: 1, name: `${large.name} Role` }))
    await visible(page.getByText(/100,000 members/).first())
    const list = page.getByRole('list', { name: 'Members' })
    const rows = list.getByRole('listitem')
    await visible(rows.first())
    const initial = await rows.count()
    expect(initial).toBeGreaterThan(5)
    expect(initial).toBeLessThan(MAX_DOM_ROWS)

    await rows.first().hover()
    for (let step = 0; step < 12; step++) await page.mouse.wheel(0, 4000)
    await expect.poll(() => rows.last().textContent()).not.toBe('')
    expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS)

    const page2 = await h.call('listUsers', { filter: { roleId: large.id }, limit: 500 })
    const target = page2.rows[437]
    if (!target) throw new Error('Not enough members seeded')
    const started = Date.now()
    await page.getByRole('searchbox', { name: 'Search members' }).fill(target.email)
    await visible(list.getByRole('listitem').filter({ hasText: target.email }))
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect.poll(() => list.getByRole('listitem').count()).toBeLessThan(5)
  })

  it('pages the Add existing drawer through everyone outside the role without rendering them all', async () => {
    const { page } = h
    await h.open(`#/roles/${large.id}`)
    await visible(page.getByRole('heading', { level: 1, name: `${large.name} Role` }))
    await page.getByRole('button', { name: 'Add existing' }).click()
    const drawer = dialog(page, 'Add existing users')
    await visible(drawer.getByText(new RegExp(`${OUTSIDERS} users not in`)))
    const boxes = drawer.getByRole('checkbox')
    await visible(boxes.first())
    expect(await boxes.count()).toBeLessThan(40)

    // End walks to the last loaded row; more pages arrive as the end comes into view.
    await boxes.first().focus()
    for (let step = 0; step < 6; step++) {
      await page.keyboard.press('End')
      await page.waitForTimeout(150)
    }
    await expect.poll(async () => Number(await page.locator(':focus').getAttribute('data-index')), { timeout: 10_000 }).toBe(OUTSIDERS - 1)
    expect(await boxes.count()).toBeLessThan(40)
    await page.keyboard.press('Space')
    expect(await drawer.getByText('1 selected').count()).toBe(1)
  })
})
