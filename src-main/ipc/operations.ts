/**
 * Long operations and the order calls run in.
 *
 * An import or invite with an `operationId` holds one SQLite transaction open while it hands the
 * event loop back between slices (core/long-write.ts). Anything else run on the connection in
 * that time would land inside that transaction, be committed or rolled back with it, and read
 * its unfinished rows. So calls pass through a queue: ordinary calls run side by side as they
 * always did (each keeps its transactions synchronous, awaiting only between them: dialogs,
 * files, token signing), and a long operation runs alone: it waits for the calls already
 * running to finish, and every call made after it waits until it has committed or rolled back —
 * except reads (`READS_BESIDE_LONG_WORK` in handlers.ts), which meanwhile run on the store's
 * read-only snapshot connection and see what was committed before it.
 */
import { DomainError } from '../core/errors'

export interface CallQueue {
  /** An ordinary call: runs at once unless a long operation is running or waiting to run. */
  shared<T>(run: () => Promise<T>): Promise<T>
  /** A long operation: runs alone, after the calls already started and the long ones before it. */
  exclusive<T>(run: () => Promise<T>): Promise<T>
  /** Whether a long operation is running or waiting to run: an ordinary call would wait now. */
  held(): boolean
}

export function createCallQueue(): CallQueue {
  /** Settles when the last long operation asked for so far has ended; null when none is pending. */
  let gate: Promise<void> | null = null
  let tail: Promise<void> = Promise.resolve()
  let active = 0
  let idle: Array<() => void> = []

  return {
    held: () => gate !== null,

    async shared(run) {
      while (gate) await gate
      active++
      try {
        return await run()
      } finally {
        active--
        if (active === 0) {
          const waiting = idle
          idle = []
          for (const wake of waiting) wake()
        }
      }
    },

    async exclusive(run) {
      let release = (): void => undefined
      const mine = new Promise<void>((resolve) => {
        release = resolve
      })
      const previous = tail
      tail = mine
      gate = mine
      try {
        await previous
        while (active > 0) await new Promise<void>((resolve) => idle.push(resolve))
        return await run()
      } finally {
        if (gate === mine) gate = null
        release()
      }
    }
  }
}

/** Running exports, imports and invites by the operation id the renderer gave them. */
export class Operations {
  private readonly running = new Map<string, AbortController>()

  /** Register `operationId` as running; the signal aborts when it is cancelled. */
  start(operationId: string, field: string): AbortSignal {
    if (this.running.has(operationId)) {
      throw new DomainError('conflict', 'An operation with this id is already running', { [field]: 'Already running' })
    }
    const controller = new AbortController()
    this.running.set(operationId, controller)
    return controller.signal
  }

  finish(operationId: string): void {
    this.running.delete(operationId)
  }

  /** False when nothing with this id is running (any more). */
  cancel(operationId: string): boolean {
    const controller = this.running.get(operationId)
    if (!controller) return false
    controller.abort()
    return true
  }

  /** Stop everything running but `except` (the operation that asks). */
  cancelAll(except?: string): void {
    for (const [operationId, controller] of this.running) if (operationId !== except) controller.abort()
  }
}
