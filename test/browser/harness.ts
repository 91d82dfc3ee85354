/**
 * One Chromium per test file, one browser host per test file on a temporary database, and a
 * fresh browser context (no storage, light theme, 1280×800) for every test.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest'
import type { CallInput, CallName, CallOutput, Result } from '../../src-main/ipc/contract'
import { startHost } from '../../src-main/host/server'
import type { Store } from '../../src-main/core/store'
import { openStoreWithKeyFiles } from '../../src-main/host/keys'
import { tempDir } from '../helpers/store'

const ROOT = resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export const VIEWPORT = { width: 1280, height: 800 } as const

export interface HarnessOptions {
  /** Runs on the database before the host opens it: the place for large or raw seed data. */
  seed?(store: Store): void | Promise<void>
}

export interface Harness {
  readonly page: Page
  readonly context: BrowserContext
  readonly dbFile: string
  /** Uncaught errors thrown in the page during the current test. */
  readonly pageErrors: Error[]
  /** Opens a route (`#/roles/<id>`) of the app and waits for it to render. */
  open(route?: string): Promise<void>
  /** Calls the page's `window.rolekeeper` and returns the value, failing on an error result. */
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>
  /** The same call, returning the whole result (to assert on a refusal). */
  tryCall<K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>>
}

let browser: Browser | null = null

export function useHarness(options: HarnessOptions = {}): Harness {
  // A real browser shares two cores with the rest of the suite: give each test room.
  vi.setConfig({ testTimeout: 60_000 })
  let host: { url: string; close(): unknown } | null = null
  let context: BrowserContext | null = null
  let page: Page | null = null
  let pageErrors: Error[] = []
  const temp = tempDir('rolekeeper-browser-')
  const dbFile = temp.file('rolekeeper.db')

  beforeAll(async () => {
    ensureRendererBuilt()
    if (options.seed) {
      // The host's own key files: invites the seed signs stay valid when the host opens the file.
      const store = await openStoreWithKeyFiles(dbFile, { actor: 'seed' })
      try {
        await options.seed(store)
      } finally {
        store.close()
      }
    }
    host = await startHost({ dbFile, port: 0 })
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
  })

  afterAll(async () => {
    await host?.close()
    await browser?.close()
    browser = null
    temp.cleanup()
  })

  beforeEach(async () => {
    if (!browser) throw new Error('The browser did not start')
    context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', reducedMotion: 'reduce' })
    // Well inside the test's own timeout, so a failure names the step that waited.
    context.setDefaultTimeout(10_000)
    page = await context.newPage()
    pageErrors = []
    page.on('pageerror', (error) => pageErrors.push(error))
  })

  afterEach(async () => {
    const errors = pageErrors
    await context?.close()
    context = null
    page = null
    expect(
      errors.map((error) => error.message),
      'uncaught errors in the page'
    ).toEqual([])
  })

  const requirePage = (): Page => {
    if (!page) throw new Error('No page: use the harness inside a test')
    return page
  }

  const tryCall = async <K extends CallName>(name: K, input: CallInput<K>): Promise<Result<CallOutput<K>>> => {
    const target = requirePage()
    return target.evaluate(
      async ([callName, callInput]) => {
        // The page's global is typed only in the renderer's own build.
        const api = (globalThis as unknown as { rolekeeper: Record<string, (input: unknown) => Promise<unknown>> }).rolekeeper
        const call = api[callName]
        if (!call) throw new Error(`No call ${callName}`)
        return call(callInput)
      },
      [name, input] as const
    ) as Promise<Result<CallOutput<K>>> // the page returns what RolekeeperApi[K] promises
  }

  return {
    get page() {
      return requirePage()
    },
    get context() {
      if (!context) throw new Error('No context: use the harness inside a test')
      return context
    },
    dbFile,
    get pageErrors() {
      return pageErrors
    },
    async open(route = '#/roles') {
      if (!host) throw new Error('The host did not start')
      const url = new URL(host.url)
      url.hash = route
      const target = requirePage()
      await target.goto(url.toString())
      await target.locator('#root > *').first().waitFor()
    },
    call: async (name, input) => {
      const result = await tryCall(name, input)
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`)
      return result.value
    },
    tryCall
  }
}

/** `npm test` builds first; a single file run from an editor builds once here. */
function ensureRendererBuilt(): void {
  if (existsSync(resolve(ROOT, 'out/renderer/index.html'))) return
  execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
}

/**
 * axe-core on what is on screen now (or only inside `within`, for an overlay whose page was
 * checked already); a violation list that reads well when it fails.
 */
export async function expectNoAxeViolations(page: Page, where: string, within?: string): Promise<void> {
  const builder = new AxeBuilder({ page })
  if (within) builder.include(within)
  const results = await builder.analyze()
  const violations = results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help} — ${violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(' '))
        .join(', ')}`
  )
  expect(violations, `axe violations on ${where}`).toEqual([])
}

/** The open dialog (drawer or modal) with the given accessible name. */
export function dialog(page: Page, name: string): Locator {
  return page.getByRole('dialog', { name, exact: true })
}

/** A unique suffix so tests sharing one database never collide. */
export function unique(label: string): string {
  return `${label} ${randomBytes(3).toString('hex')}`
}
