import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { applyImport } from '../../src-main/core/import'
import { importOptions } from '../../src-main/core/inputs'
import { openStore, type Store } from '../../src-main/core/store'
import type { AppInfo } from '../../src-main/ipc/contract'
import { createHandlerMap } from '../../src-main/ipc/handlers'
import { lastResortCollection, memoryReturn, QUIET_MS } from '../../src-main/ipc/memory'
import { testInviteKeys } from '../helpers/keys'
import { valueOf } from '../helpers/results'
import { openTestStore, tempDir } from '../helpers/store'

const appInfo: AppInfo = { version: '1.0.0', databasePath: ':memory:', runtime: 'desktop' }

const csvOf = (rows: number): string =>
  ['email,first_name', ...Array.from({ length: rows }, (_, index) => `person.${index}@example.org,Person ${index}`)].join('\n')

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

/** A memoryReturn whose release and collection are counted, with fake timers. */
function counted(): { memory: ReturnType<typeof memoryReturn>; given: string[] } {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  const given: string[] = []
  const memory = memoryReturn(
    () => given.push('release'),
    QUIET_MS,
    () => given.push('collect')
  )
  return { memory, given }
}

describe('giving memory back after bulk work', () => {
  it('releases the caches and collects once the calls have been quiet a moment after bulk work', () => {
    const { memory, given } = counted()
    memory.callStarted()
    memory.callEnded(true)
    vi.advanceTimersByTime(QUIET_MS - 1)
    expect(given).toEqual([])
    vi.advanceTimersByTime(1)
    expect(given).toEqual(['release', 'collect'])
    vi.advanceTimersByTime(10 * QUIET_MS)
    expect(given).toEqual(['release', 'collect'])
  })

  it('never runs after ordinary calls alone', () => {
    const { memory, given } = counted()
    for (let call = 0; call < 5; call++) {
      memory.callStarted()
      memory.callEnded(false)
    }
    vi.advanceTimersByTime(10 * QUIET_MS)
    expect(given).toEqual([])
  })

  it('waits while a call runs, and again after each call that starts in the quiet', () => {
    const { memory, given } = counted()
    memory.callStarted()
    memory.callStarted()
    memory.callEnded(true)
    vi.advanceTimersByTime(10 * QUIET_MS)
    expect(given).toEqual([])
    memory.callEnded(false)
    vi.advanceTimersByTime(QUIET_MS / 2)
    memory.callStarted()
    memory.callEnded(false)
    vi.advanceTimersByTime(QUIET_MS - 1)
    expect(given).toEqual([])
    vi.advanceTimersByTime(1)
    expect(given).toEqual(['release', 'collect'])
  })

  it('still collects, and keeps running, when releasing the caches fails', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    let collections = 0
    const memory = memoryReturn(
      () => {
        throw new Error('The database connection is not open')
      },
      QUIET_MS,
      () => collections++
    )
    memory.callStarted()
    memory.callEnded(true)
    expect(() => vi.advanceTimersByTime(QUIET_MS)).not.toThrow()
    expect(collections).toBe(1)
    expect(logged).toHaveBeenCalledOnce()
  })

  it('gives the store’s caches back after an import through the handler map', async () => {
    const store = await openTestStore()
    try {
      const releaseMemory = vi.fn(() => store.releaseMemory())
      const api = createHandlerMap({ store: { ...store, releaseMemory }, appInfo })
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      valueOf(await api.listUsers({}))
      vi.advanceTimersByTime(10 * QUIET_MS)
      expect(releaseMemory).not.toHaveBeenCalled()
      expect(valueOf(await api.applyImport({ file: { text: csvOf(50) } })).counts.new).toBe(50)
      vi.advanceTimersByTime(QUIET_MS)
      expect(releaseMemory).toHaveBeenCalledOnce()
      expect(valueOf(await api.countUsers({})).all).toBe(50)
    } finally {
      store.close()
    }
  })
})

describe('the store’s releaseMemory', () => {
  it('leaves the store and its snapshot reading what was written, and is harmless once closed', async () => {
    const folder = tempDir()
    const store = await openStore({ file: folder.file('release.db'), inviteKeys: await testInviteKeys(), actor: 'tester' })
    try {
      const count = (on: Store | null): unknown => on?.sqlite.prepare('SELECT count(*) FROM users').pluck().get()
      applyImport(store, csvOf(2000), importOptions.parse({}))
      expect(count(store.snapshot())).toBe(2000)
      store.releaseMemory()
      expect(count(store)).toBe(2000)
      expect(count(store.snapshot())).toBe(2000)
    } finally {
      store.close()
      folder.cleanup()
    }
    expect(() => store.releaseMemory()).not.toThrow()
  })
})

/** This process's anonymous resident memory in MB (Linux). */
const anonymousMb = (): number => Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024

/** Three rounds of objects shaped like an import's rows, all dead once it returns. */
function burstOfGarbage(): number {
  let rows: Array<{ email: string; line: number; tags: number[] }> = []
  for (let round = 0; round < 3; round++) {
    rows = []
    for (let index = 0; index < 600_000; index++) rows.push({ email: `person.${index}@example.org`, line: index, tags: [index] })
  }
  return rows.length
}

describe.runIf(existsSync('/proc/self/status'))('the last-resort collection', () => {
  it('hands back to the system the pages V8 keeps pooled after a burst of garbage', () => {
    const before = anonymousMb()
    expect(burstOfGarbage()).toBe(600_000)
    // The garbage is dead now, but V8 keeps the pages it sat on, resident.
    const kept = anonymousMb()
    expect(kept).toBeGreaterThan(before + 100)
    lastResortCollection()
    expect(anonymousMb()).toBeLessThan(kept - 100)
  })
})
