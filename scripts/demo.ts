/**
 * `npm run demo`: try Rolekeeper without Electron. Seeds a demo database the first time (a few
 * thousand synthetic users in eight roles, kept in `.demo/` between runs), serves it through the
 * browser host on 127.0.0.1 and opens the page in the default browser.
 *
 *   npm run demo [-- --fresh] [-- --no-open] [-- --users N]
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { openStoreWithKeyFiles, startHost } from '../src-main/host/server'
import { seed } from './seed'

const folder = resolve(import.meta.dirname, '..', '.demo')
const dbFile = join(folder, 'rolekeeper-demo.db')

/** The platform's own way to open a URL in the default browser. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]]
  const child = spawn(command, args, { stdio: 'ignore', detached: true })
  child.on('error', () => console.log('Open the address above in your browser.'))
  child.unref()
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { fresh: { type: 'boolean' }, 'no-open': { type: 'boolean' }, users: { type: 'string', default: '5000' } }
  })
  const users = Number(values.users)
  if (!Number.isInteger(users) || users < 1) throw new Error(`--users must be a whole number above 0, not ${values.users}`)
  if (values.fresh) rmSync(folder, { recursive: true, force: true })
  if (!existsSync(dbFile)) {
    mkdirSync(folder, { recursive: true })
    const store = await openStoreWithKeyFiles(dbFile, { actor: 'demo' })
    try {
      const summary = seed(store, { users })
      console.log(`Seeded a demo directory: ${summary.users.toLocaleString('en')} users in ${summary.roles.length} roles (${dbFile})`)
    } finally {
      store.close()
    }
  }
  const host = await startHost({ dbFile })
  console.log(`Rolekeeper host listening on ${host.url}`)
  console.log('Press Ctrl+C to stop. `npm run demo -- --fresh` starts again from a new directory.')
  if (!values['no-open'] && !process.env.CI) openInBrowser(host.url)
  const stop = (): void => void host.close().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
