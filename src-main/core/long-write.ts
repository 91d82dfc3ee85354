import { DomainError } from './errors'
import type { Store } from './store'

/**
 * Writes of many thousand rows (an import, a paste of many addresses) still run in ONE
 * transaction, but can hand the event loop back between slices so the window keeps painting,
 * progress reaches it and a cancel can arrive. A cancel rolls everything back: nothing written.
 *
 * A write is a generator: it does its work and yields its progress after each slice. Run with
 * `runWrite` it never leaves the transaction's synchronous function (tests, the benchmark, small
 * calls); run with `runWriteYielding` it yields to the event loop at each of those points, so
 * while it runs nothing else may use the connection: the handler map queues every other call.
 */

/**
 * Rows per slice: between two progress reports and, when yielding, two turns of the event loop.
 * New users cost about 75 µs each at 1,000,000 users (their rows, indexes and search index), so
 * a slice holds the thread for under 10 ms; slices of 2,000 held it for 150–300 ms.
 */
export const WRITE_SLICE = 100

export interface WriteProgress {
  done: number
  total: number
}

export type WriteSteps<T> = Generator<WriteProgress, T, void>

/**
 * `onProgress` called only when the progress moves: a step that only hands the event loop back
 * (a look-up between two slices of rows) is not reported again.
 */
export function progressReporter(onProgress: ((done: number, total: number) => void) | undefined): (progress: WriteProgress) => void {
  let reported: WriteProgress | null = null
  return (progress) => {
    if (reported?.done !== progress.done || reported.total !== progress.total) onProgress?.(progress.done, progress.total)
    reported = progress
  }
}

export interface WriteControl {
  /** After each slice: units of work done so far and in all. */
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
}

/** Run `steps` to the end in one transaction without yielding. */
export function runWrite<T>(store: Store, steps: () => WriteSteps<T>): T {
  return store.transaction(() => {
    const iterator = steps()
    for (;;) {
      const step = iterator.next()
      if (step.done) return step.value
    }
  })
}

/**
 * Run `steps` in one transaction, yielding to the event loop after each slice; an abort of
 * `control.signal` rolls it back and fails with `DomainError('cancelled', cancelledMessage)`.
 */
export async function runWriteYielding<T>(
  store: Store,
  steps: () => WriteSteps<T>,
  control: WriteControl,
  cancelledMessage: string
): Promise<T> {
  const { signal, onProgress } = control
  const cancelled = (): DomainError => new DomainError('cancelled', cancelledMessage)
  if (signal?.aborted) throw cancelled()
  // Another write still open on this connection would swallow this one: a queueing bug, not the user's.
  if (store.sqlite.inTransaction) throw new Error('A long write started while a transaction was open')
  // IMMEDIATE: the write lock is taken now, not at the first write after the planning.
  store.sqlite.exec('BEGIN IMMEDIATE')
  try {
    const iterator = steps()
    const report = progressReporter(onProgress)
    for (;;) {
      const step = iterator.next()
      if (step.done) {
        store.sqlite.exec('COMMIT')
        return step.value
      }
      report(step.value)
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (signal?.aborted) throw cancelled()
    }
  } catch (error) {
    if (store.sqlite.inTransaction) store.sqlite.exec('ROLLBACK')
    throw error
  }
}
