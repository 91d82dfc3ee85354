/**
 * The worker that reads an import file (import-reader.ts starts it): parsing a 60 MB JSON or
 * LDIF file takes seconds, which on the main thread would hold every other call. The directory
 * goes back in batches, so that taking it in never stalls the main thread either.
 */
import { parentPort } from 'node:worker_threads'
import { DomainError } from './errors'
import { readImportSource } from './import-read'
import type { ReaderReply, ReaderRequest } from './import-reader'

/** Users per message: each one is taken in on its own turn of the main thread's event loop. */
const BATCH = 5000

parentPort?.once('message', (request: ReaderRequest) => {
  const reply = (message: ReaderReply): void => parentPort?.postMessage(message)
  try {
    const { users, ...rest } = readImportSource(request.input, request.options)
    reply({ kind: 'head', source: { ...rest, users: [] } })
    for (let start = 0; start < users.length; start += BATCH) reply({ kind: 'users', users: users.slice(start, start + BATCH) })
    reply({ kind: 'done' })
  } catch (error) {
    if (error instanceof DomainError) {
      reply({ kind: 'refused', code: error.code, message: error.message, ...(error.fields && { fields: error.fields }) })
    } else {
      reply({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    }
  }
})
