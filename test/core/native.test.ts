/**
 * better-sqlite3 ships one Node-API binary per platform inside its package; the same file loads in
 * Node and in Electron. These tests make sure that file is what the store runs on — not a compile
 * left in build/, which better-sqlite3's loader would prefer and which the installers never carry.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src-main/core/store'
import { openTestStore } from '../helpers/store'

const moduleDir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'))

/** The native files this process has loaded, as the operating system reports them. */
function loadedNativeFiles(): string[] {
  const report = process.report.getReport() as unknown as { sharedObjects: string[] }
  return report.sharedObjects.filter((path) => path.endsWith('.node'))
}

describe('the SQLite binary', () => {
  let store: Store
  beforeAll(async () => {
    store = await openTestStore()
  })
  afterAll(() => store.close())

  it('is the prebuilt binary inside the package, for this platform and architecture', () => {
    const prebuilt = join(moduleDir, 'prebuilds', `${process.platform}-${process.arch}.node`)
    expect(existsSync(prebuilt)).toBe(true)
    const loaded = loadedNativeFiles().filter((path) => path.includes('better-sqlite3'))
    expect(loaded).toEqual([prebuilt])
  })

  it('was not compiled on this machine', () => {
    for (const kind of ['Release', 'Debug']) expect(existsSync(join(moduleDir, 'build', kind, 'better_sqlite3.node'))).toBe(false)
  })

  it('runs the store', () => {
    expect(store.sqlite.prepare('select sqlite_version() as version').get()).toMatchObject({ version: expect.stringMatching(/^3\./) })
  })
})
