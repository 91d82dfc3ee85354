/**
 * Check a database file's integrity before it is used (integrity-worker.ts says what is checked
 * and why): in a worker thread for large files, so the main process keeps answering calls and
 * the check can be cancelled at once; on the main thread, yielding between steps, for small
 * files and wherever a worker cannot start. Either way the file is opened read-only: a damaged
 * file is refused exactly as it was.
 */
import { statSync } from 'node:fs'
import { basename } from 'node:path'
import { Worker } from 'node:worker_threads'
import { DomainError } from '../errors'
import { checkFile, type IntegrityJob, type IntegrityMessage, type IntegrityVerdict } from './integrity-worker'

export interface IntegrityControl {
  /** Pages checked so far (weighted), and in all. */
  onProgress?(done: number, total: number): void
  /** Aborting stops the check; it then answers `cancelled`. */
  signal?: AbortSignal
  /** Where to run; `auto` (the default) uses a worker for files above WORKER_ABOVE bytes. */
  thread?: 'auto' | 'worker' | 'main'
}

/** About a quarter of a second of checking: below it a worker's start-up is not worth it. */
export const WORKER_ABOVE = 32 * 1024 * 1024

/** Built, the worker is a bundle beside the main one; from source (tests, the host), the module itself. */
const WORKER_FILE = import.meta.url.endsWith('.ts') ? 'integrity-worker.ts' : 'integrity-worker.js'

const cancelled = (): DomainError => new DomainError('cancelled', 'Opening the database was cancelled; nothing was changed.')

/**
 * Resolve when `file` passes; throw `DomainError('database')` naming the damage when it does not,
 * `DomainError('cancelled')` when `control.signal` aborts first.
 */
export async function checkIntegrity(file: string, control: IntegrityControl = {}): Promise<void> {
  if (control.signal?.aborted) throw cancelled()
  const thread = control.thread ?? 'auto'
  const useWorker = thread === 'worker' || (thread === 'auto' && statSync(file).size > WORKER_ABOVE)
  const verdict = (useWorker ? await inWorker(file, control) : null) ?? (await inThisThread(file, control))
  if (!verdict.ok) {
    throw new DomainError(
      'database',
      `${basename(file)} is damaged (${verdict.problem}). It was not opened and nothing in it was changed. Restore a backup or open another file.`
    )
  }
}

/** The check on this thread, handing the event loop back after every step. */
async function inThisThread(file: string, control: IntegrityControl): Promise<IntegrityVerdict> {
  const steps = checkFile(file)
  try {
    for (;;) {
      if (control.signal?.aborted) throw cancelled()
      const step = steps.next()
      if (step.done) return step.value
      control.onProgress?.(step.value.done, step.value.total)
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    // Closes the connection when the check stops early.
    steps.return({ ok: true })
  }
}

/** The check in a worker; null when the worker could not run it (then this thread does). */
function inWorker(file: string, control: IntegrityControl): Promise<IntegrityVerdict | null> {
  return new Promise((resolve, reject) => {
    let worker: Worker
    try {
      worker = new Worker(new URL(WORKER_FILE, import.meta.url), {
        workerData: { kind: 'rolekeeper-integrity', file } satisfies IntegrityJob
      })
    } catch (error) {
      console.warn('[rolekeeper] the integrity check cannot start a worker; checking on the main thread:', error)
      resolve(null)
      return
    }
    let settled = false
    const finish = (settle: () => void): void => {
      if (settled) return
      settled = true
      control.signal?.removeEventListener('abort', onAbort)
      settle()
    }
    // The worker may be inside one SQLite call: it stops when that returns, the answer comes now.
    const onAbort = (): void =>
      finish(() => {
        void worker.terminate()
        reject(cancelled())
      })
    control.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (message: IntegrityMessage) => {
      if (message.kind === 'progress') {
        if (!settled) control.onProgress?.(message.done, message.total)
        return
      }
      finish(() => resolve(message.verdict))
      void worker.terminate()
    })
    worker.on('error', (error) => {
      console.warn('[rolekeeper] the integrity check’s worker failed; checking on the main thread:', error)
      finish(() => resolve(null))
    })
    worker.on('exit', () => finish(() => resolve(null)))
  })
}
