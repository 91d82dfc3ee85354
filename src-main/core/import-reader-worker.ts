/**
 * The worker that reads an import file (import-reader.ts starts it): parsing a 60 MB JSON or
 * LDIF file takes seconds, which on the main thread would hold every other call. The directory
 * goes back in batches, one each time the main thread asks for the next: messages queued on a
 * port are all taken in on one turn of its event loop, so batches sent unasked would stall it
 * for as long as taking in the whole directory (300 ms for 100,000 users).
 */
import { parentPort } from 'node:worker_threads'
import { readImportSource } from './import-read'
import type { PreviewDatabase, ReaderReply, ReaderRequest } from './import-reader'
import { openReadConnection } from './db/open'
import { previewSteps } from './import'
import { progressReporter } from './long-write'
import { inviteKeysFromMessage } from './invite-keys'
import { createStore } from './store'
import { workerFailure } from './worker-script'

/** Users per message: a few milliseconds to take in on the main thread. */
const BATCH = 2000

parentPort?.once('message', (request: ReaderRequest) => {
  const reply = (message: ReaderReply): void => parentPort?.postMessage(message)
  try {
    if (request.preview) {
      preview(request, request.preview)
      return
    }
    const { users, ...rest } = readImportSource(request.input, request.options)
    reply({ kind: 'head', source: { ...rest, users: [] } })
    let start = 0
    const next = (): void => {
      if (start >= users.length) {
        parentPort?.off('message', next)
        reply({ kind: 'done' })
        return
      }
      reply({ kind: 'users', users: users.slice(start, start + BATCH) })
      start += BATCH
    }
    // Each message from the main thread asks for the next batch (ReaderAsk).
    parentPort?.on('message', next)
  } catch (error) {
    reply(workerFailure(error))
  }
})

/** Read, check against the database and answer the preview, with progress after each slice. */
function preview(request: ReaderRequest, database: PreviewDatabase): void {
  const source = readImportSource(request.input, request.options)
  const inviteKeys = inviteKeysFromMessage(database.keys)
  const store = createStore(openReadConnection(database.file), { file: database.file, inviteKeys, actor: 'import' }, true)
  try {
    const steps = previewSteps(store, source, request.options)
    const report = progressReporter((done, total) => parentPort?.postMessage({ kind: 'progress', done, total } satisfies ReaderReply))
    for (;;) {
      const step = steps.next()
      if (step.done) {
        parentPort?.postMessage({ kind: 'preview', preview: step.value } satisfies ReaderReply)
        return
      }
      report(step.value)
    }
  } finally {
    store.close()
  }
}
