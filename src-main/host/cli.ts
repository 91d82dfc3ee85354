/**
 * `npm run host -- --db FILE [--port N] [--renderer DIR] [--allow-open FILE]`: serve the built
 * renderer and the handler map on 127.0.0.1 until killed. The first line printed is the URL to
 * open. `--allow-open` names the one database file the page's Open database may switch to.
 */
import { parseArgs } from 'node:util'
import { DomainError } from '../core/errors'
import { RendererNotBuiltError, startHost } from './server'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      renderer: { type: 'string' },
      'allow-open': { type: 'string' }
    }
  })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!values.db || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('Usage: npm run host -- --db FILE [--port N] [--renderer DIR] [--allow-open FILE]')
    process.exit(2)
  }
  const host = await startHost({
    dbFile: values.db,
    port,
    ...(values.renderer === undefined ? {} : { rendererDir: values.renderer }),
    ...(values['allow-open'] === undefined ? {} : { allowOpen: values['allow-open'] })
  })
  console.log(`Rolekeeper host listening on ${host.url}`)

  const stop = (): void => {
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      }
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  // Expected refusals read best as their sentence; anything else with its stack.
  console.error(error instanceof RendererNotBuiltError || error instanceof DomainError ? error.message : error)
  process.exit(1)
})
