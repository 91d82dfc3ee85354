/**
 * Reading big import files off the main thread. The reading code is the same either way
 * (import-read.ts); here it runs in a worker thread built beside the main bundle, so the app
 * goes on answering while a 200,000-row file is parsed. Where no worker has been built (a
 * test run straight from the sources), and for small files, it runs in line.
 */
import { Worker } from 'node:worker_threads'
import { DomainError } from './errors'
import type { SourceUser } from './formats/handoff'
import { readImportSource, type ImportInput, type ReadSource } from './import-read'
import type { ImportOptions } from './inputs'
import type { InviteKeys } from './invite-keys'
import type { ImportPreview } from './model'
import { BUILT_WORKER_OPTIONS, builtWorker, type WorkerFailure } from './worker-script'

export interface ReaderRequest {
  input: ImportInput
  options: ImportOptions
  /** For a preview: the database the worker checks the rows against, through a read-only connection of its own. */
  preview?: PreviewDatabase
}

export interface PreviewDatabase {
  file: string
  keys: InviteKeys
}

export type ReaderReply =
  | { kind: 'head'; source: ReadSource }
  | { kind: 'users'; users: SourceUser[] }
  | { kind: 'done' }
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'preview'; preview: ImportPreview }
  | WorkerFailure

/** After the request, each message the main thread sends asks for the next reply. */
export type ReaderAsk = 'next'

/** The error a reply that ends the work badly stands for: the reader's refusal, its failure, or a reply out of place. */
function failureOf(reply: ReaderReply, asked: string): Error {
  if (reply.kind === 'refused') return new DomainError(reply.code, reply.message, reply.fields)
  if (reply.kind === 'failed') return new Error(`The import reader failed: ${reply.message}`)
  return new Error(`The import reader answered ${asked} with ${reply.kind}`)
}

/** Below this many bytes a file is read in line: starting a worker costs more than the reading. */
const IN_LINE_BYTES = 1024 * 1024

const sizeOf = (input: ImportInput): number =>
  typeof input === 'string' || input instanceof Uint8Array ? input.length : input.reduce((sum, file) => sum + file.content.length, 0)

/** Beside the main bundle (the app, the browser host after a build), or none. */
export function workerScript(): URL | null {
  return builtWorker('import-reader-worker')
}

export async function readImportInBackground(input: ImportInput, options: ImportOptions, signal?: AbortSignal): Promise<ReadSource> {
  const script = sizeOf(input) < IN_LINE_BYTES ? null : workerScript()
  if (!script) return readImportSource(input, options)
  const worker = new Worker(script, BUILT_WORKER_OPTIONS)
  try {
    return await new Promise<ReadSource>((resolve, reject) => {
      let source: ReadSource | null = null
      const abort = (): void => reject(new DomainError('cancelled', 'Reading the file was cancelled'))
      signal?.addEventListener('abort', abort, { once: true })
      // The next batch on a later turn, so that reads waiting for this thread go between batches.
      const ask = (): void => void setImmediate(() => worker.postMessage('next' satisfies ReaderAsk))
      worker.on('error', reject)
      worker.on('exit', (code) => reject(new Error(`The import reader stopped (exit code ${code})`)))
      worker.on('message', (reply: ReaderReply) => {
        switch (reply.kind) {
          case 'head':
            source = reply.source
            ask()
            break
          case 'users':
            source?.users.push(...reply.users)
            ask()
            break
          case 'done':
            if (source) resolve(source)
            else reject(new Error('The import reader sent no directory'))
            break
          default:
            reject(failureOf(reply, 'a reading'))
        }
      })
      worker.postMessage({ input, options } satisfies ReaderRequest)
    })
  } finally {
    await worker.terminate()
  }
}

/**
 * A preview made wholly in the worker: the file read, and its rows checked against the database
 * through the worker's own read-only connection, so that the main thread takes in neither the
 * file's users nor the plan (100,000 of each would cost it collections of 30–70 ms). Null where
 * the preview is better made in line: a small file, or no worker built.
 */
export async function previewInBackground(
  input: ImportInput,
  options: ImportOptions,
  database: PreviewDatabase,
  control: { signal?: AbortSignal; onProgress?(done: number, total: number): void }
): Promise<ImportPreview | null> {
  const script = sizeOf(input) < IN_LINE_BYTES ? null : workerScript()
  if (!script) return null
  const worker = new Worker(script, BUILT_WORKER_OPTIONS)
  try {
    return await new Promise<ImportPreview>((resolve, reject) => {
      const abort = (): void => reject(new DomainError('cancelled', 'The preview was cancelled'))
      if (control.signal?.aborted) abort()
      control.signal?.addEventListener('abort', abort, { once: true })
      worker.on('error', reject)
      worker.on('exit', (code) => reject(new Error(`The import reader stopped (exit code ${code})`)))
      worker.on('message', (reply: ReaderReply) => {
        switch (reply.kind) {
          case 'progress':
            control.onProgress?.(reply.done, reply.total)
            break
          case 'preview':
            resolve(reply.preview)
            break
          default:
            reject(failureOf(reply, 'a preview'))
        }
      })
      worker.postMessage({ input, options, preview: database } satisfies ReaderRequest)
    })
  } finally {
    await worker.terminate()
  }
}
