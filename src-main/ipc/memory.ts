/**
 * Giving memory back once bulk work is over. Importing 100,000 rows makes a few hundred MB of
 * short-lived objects inside one synchronous transaction. V8 collects them afterwards, but keeps
 * the freed pages in its pool, resident, for as long as the process lives: two such imports left
 * the browser host at 450–500 MB of anonymous memory ten seconds later, of which V8's live heap
 * was 27 MB; one last-resort collection brought it back to about 125 MB. SQLite's page caches
 * likewise stay full after the writes. So when a bulk call has ended and no call has come for
 * QUIET_MS, the connections release their caches and V8 runs that collection, which hands its
 * pooled pages back to the operating system. It holds the thread for 70–140 ms at 1,000,000
 * users, which is why it waits for quiet and runs once per burst of work, never after reads.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Quiet after bulk work before memory is given back: longer than the pause between two steps of one task. */
export const QUIET_MS = 2000

export interface MemoryReturn {
  /** A call has started: nothing is given back while it runs. */
  callStarted(): void
  /** A call has ended; `bulk` when its work grew with the rows it handled. */
  callEnded(bulk: boolean): void
}

/**
 * Counts the calls running; once bulk work has ended and none has run for `quietMs`, calls
 * `release` (then a last-resort collection, where V8 offers one).
 */
export function memoryReturn(release: () => void, quietMs = QUIET_MS, collect: () => void = lastResortCollection): MemoryReturn {
  let running = 0
  let owed = false
  let timer: NodeJS.Timeout | null = null
  const giveBack = (): void => {
    timer = null
    if (running > 0 || !owed) return
    owed = false
    // Runs from a timer: a failure here must not take the process down, and is only memory.
    try {
      release()
    } catch (error) {
      console.error('[rolekeeper] releasing cached pages failed:', error)
    }
    try {
      collect()
    } catch (error) {
      console.error('[rolekeeper] the collection after bulk work failed:', error)
    }
  }
  return {
    callStarted() {
      running++
      if (timer) clearTimeout(timer)
      timer = null
    },
    callEnded(bulk) {
      running--
      owed ||= bulk
      if (running > 0 || !owed) return
      if (timer) clearTimeout(timer)
      // Never what keeps the process (or a test run) alive.
      timer = setTimeout(giveBack, quietMs).unref()
    }
  }
}

type Collector = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void

let collector: Collector | null | undefined

/**
 * A full collection that also returns V8's pooled pages ("last resort": the one a low-memory
 * notification runs). V8 exposes it as `gc` under --expose-gc; the flag set now applies to
 * contexts made after it, so the function is taken from a new one and kept.
 */
export function lastResortCollection(): void {
  if (collector === undefined) {
    const exposed: unknown = Reflect.get(globalThis, 'gc') ?? exposeCollector()
    collector = typeof exposed === 'function' ? (exposed as Collector) : null // V8's gc(options) extension
  }
  collector?.({ type: 'major', execution: 'sync', flavor: 'last-resort' })
}

function exposeCollector(): unknown {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc')
}
