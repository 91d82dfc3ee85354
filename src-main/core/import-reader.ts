/**
 * Reading big import files off the main thread. The reading code is the same either way
 * (import-read.ts); here it runs in a worker thread built beside the main bundle, so the app
 * goes on answering while a 200,000-row file is parsed. Where no worker has been built (a
 * test run straight from the sources), and for small files, it runs in line.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { DomainError, type ErrorCode } from './errors'
import type { SourceUser } from './formats/handoff'
import { readImportSource, type ImportInput, type ReadSource } from './import-read'
import type { ImportOptions } from './inputs'

export interface ReaderRequest {
  input: ImportInput
  options: ImportOptions
}

export type ReaderReply =
  | { kind: 'head'; source: ReadSource }
  | { kind: 'users'; users: SourceUser[] }
  | { kind: 'done' }
  | { kind: 'refused'; code: ErrorCode; message: string; fields?: Record<string, string> }
  | { kind: 'failed'; message: string }

/** Below this many bytes a file is read in line: starting a worker costs more than the reading. */
const IN_LINE_BYTES = 1024 * 1024

const sizeOf = (input: ImportInput): number =>
  typeof input === 'string' || input instanceof Uint8Array ? input.length : input.reduce((sum, file) => sum + file.content.length, 0)

/** Beside the main bundle (the app, the browser host after a build), or none. */
export function workerScript(): URL | null {
  const candidates = [
    new URL('./import-reader-worker.js', import.meta.url),
    new URL('../../out/main/import-reader-worker.js', import.meta.url)
  ]
  return candidates.find((candidate) => candidate.protocol === 'file:' && existsSync(fileURLToPath(candidate))) ?? null
}

export async function readImportInBackground(input: ImportInput, options: ImportOptions, signal?: AbortSignal): Promise<ReadSource> {
  const script = sizeOf(input) < IN_LINE_BYTES ? null : workerScript()
  if (!script) return readImportSource(input, options)
  const worker = new Worker(script)
  try {
    return await new Promise<ReadSource>((resolve, reject) => {
      let source: ReadSource | null = null
      const abort = (): void => reject(new DomainError('cancelled', 'Reading the file was cancelled'))
      signal?.addEventListener('abort', abort, { once: true })
      worker.on('error', reject)
      worker.on('exit', (code) => reject(new Error(`The import reader stopped (exit code ${code})`)))
      worker.on('message', (reply: ReaderReply) => {
        switch (reply.kind) {
          case 'head':
            source = reply.source
            break
          case 'users':
            source?.users.push(...reply.users)
            break
          case 'done':
            if (source) resolve(source)
            else reject(new Error('The import reader sent no directory'))
            break
          case 'refused':
            reject(new DomainError(reply.code, reply.message, reply.fields))
            break
          case 'failed':
            reject(new Error(`The import reader failed: ${reply.message}`))
            break
        }
      })
      worker.postMessage({ input, options } satisfies ReaderRequest)
    })
  } finally {
    await worker.terminate()
  }
}
