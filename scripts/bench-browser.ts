/**
 * The benchmark's browser half: the built renderer in headless Chromium through the browser
 * host (a child process, as the desktop's main process is one), typing searches into the User
 * Directory as a person does, then the host's memory after pages, searches and imports.
 *
 * A keystroke's latency runs from its input event to the first paint that shows results for its
 * query or a later one (the list's `data-answers`), measured in the page. Keystrokes come every
 * TYPING_GAP_MS without waiting for answers, as fast typing does, so a keystroke that arrives
 * while a request is out pays for the wait the page makes it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'
import { importFileOf } from './import-files'

const ROOT = resolve(import.meta.dirname, '..')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const TYPING_GAP_MS = 90

export interface RunningHost {
  url: string
  secret: string
  pid: number
  call(name: string, input: unknown): Promise<unknown>
  stop(): Promise<void>
}

export interface HostProcessOptions {
  /** Node options before the script (e.g. `--expose-gc`), for looking into the host's memory. */
  nodeArgs?: readonly string[]
  /** Added to this process's environment. */
  env?: Readonly<Record<string, string>>
}

/** `npm run host` on `dbFile`, as its own node process (so its memory is its own). */
export async function startHostProcess(dbFile: string, options: HostProcessOptions = {}): Promise<RunningHost> {
  const script = resolve(ROOT, 'src-main/host/cli.ts')
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, '--db', dbFile], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolveUrl, reject) => {
    if (!child.stdout) return reject(new Error('The host has no output'))
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const found = /listening on (\S+)/.exec(line)
      if (found?.[1]) resolveUrl(found[1])
    })
    child.once('exit', (code) => reject(new Error(`The host stopped (${code})`)))
  })
  const secret = new URL(url).searchParams.get('secret') ?? ''
  const origin = new URL(url).origin
  return {
    url,
    secret,
    pid: child.pid ?? 0,
    async call(name, input) {
      const response = await fetch(`${origin}/__rolekeeper/call/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-rolekeeper-secret': secret },
        body: JSON.stringify(input)
      })
      const answer: unknown = await response.json()
      if (typeof answer !== 'object' || answer === null || Reflect.get(answer, 'ok') !== true) {
        throw new Error(`${name} failed: ${JSON.stringify(answer).slice(0, 300)}`)
      }
      return Reflect.get(answer, 'value')
    },
    stop: () =>
      new Promise((done) => {
        child.once('exit', () => done())
        child.kill('SIGTERM')
      })
  }
}

export interface HostMemory {
  afterReads: { rssAnon: number; rss: number }
  afterImports: { rssAnon: number; rss: number }
}

/**
 * The host's memory after 200 pages of `roleId`'s members and the `searches`, then after two
 * 100,000-row CSV imports and `idleMs` of quiet: what it keeps, not its peak.
 */
export async function hostMemoryAfterWork(
  host: RunningHost,
  roleId: string,
  searches: readonly { text: string }[],
  idleMs: number
): Promise<HostMemory> {
  let after: string | undefined
  for (let index = 0; index < 200; index++) {
    const page = (await host.call('listUsers', { filter: { roleId }, limit: 200, ...(after ? { after } : {}) })) as {
      nextCursor: string | null
    } // the call's result shape
    after = page.nextCursor ?? undefined
  }
  for (const query of searches) await host.call('listUsers', { filter: { search: query.text }, limit: 200 })
  const afterReads = memoryOf(host.pid)
  for (let run = 0; run < 2; run++) {
    await host.call('applyImport', { file: { text: importFileOf(100_000, [], `mem${run}`) }, existing: 'update', newUsersAs: 'invited' })
  }
  await new Promise((done) => setTimeout(done, idleMs))
  return { afterReads, afterImports: memoryOf(host.pid) }
}

/** Anonymous and resident memory of a process, in MB, from /proc. */
export function memoryOf(pid: number | 'self'): { rssAnon: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
  return { rssAnon: kb('RssAnon') / 1024, rss: kb('VmRSS') / 1024 }
}

/**
 * Runs in the page (plain JavaScript, as the page sees it): types `text` into Search users one
 * character every `gap` ms and answers each keystroke's latency to the paint that shows results
 * for its query or a longer one.
 */
const TYPE_IN_PAGE = `async (text, gap) => {
  const input = document.querySelector('input[aria-label="Search users"]')
  const subtitle = document.querySelector('.page-subtitle')
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
  const type = (value) => {
    setValue.call(input, value)
    input.dispatchEvent(new Event('input', { bubbles: true }))
  }
  const answered = (value) =>
    new Promise((done) => {
      if (subtitle.dataset.answers === value) return done()
      const observer = new MutationObserver(() => {
        if (subtitle.dataset.answers !== value) return
        observer.disconnect()
        done()
      })
      observer.observe(subtitle, { attributes: true, attributeFilter: ['data-answers'] })
    })
  type('')
  await answered('')
  const typedAt = []
  const latencies = new Array(text.length).fill(-1)
  const observer = new MutationObserver(() => {
    const shown = subtitle.dataset.answers ?? ''
    if (shown.length === 0 || !text.startsWith(shown)) return
    requestAnimationFrame(() => {
      const paintedAt = performance.now()
      for (let index = 0; index < shown.length; index++) {
        if (latencies[index] === -1 && typedAt[index] !== undefined) latencies[index] = paintedAt - typedAt[index]
      }
    })
  })
  observer.observe(subtitle, { attributes: true, attributeFilter: ['data-answers'] })
  for (let length = 1; length <= text.length; length++) {
    typedAt[length - 1] = performance.now()
    type(text.slice(0, length))
    await new Promise((done) => setTimeout(done, gap))
  }
  await answered(text)
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
  observer.disconnect()
  return latencies
}`

/** Keystroke-to-rendered latencies (ms) of typing each of `texts` into Search users. */
export async function typingLatencies(host: RunningHost, texts: readonly string[]): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(`${host.url}#/users`)
    await page.locator('[data-answers=""]').waitFor({ timeout: 60_000 })
    const samples: number[] = []
    for (const text of texts) {
      const latencies: unknown = await page.evaluate(`(${TYPE_IN_PAGE})(${JSON.stringify(text)}, ${TYPING_GAP_MS})`)
      if (!Array.isArray(latencies)) throw new Error('The page measured nothing')
      samples.push(...latencies.filter((latency): latency is number => typeof latency === 'number' && latency >= 0))
    }
    return samples
  } finally {
    await browser.close()
  }
}
