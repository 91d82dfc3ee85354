/**
 * Catching the role index up in the background (core/role-index.ts). Once a call leaves users
 * trailing (a change set), slices of FOLD_SLICE users run one per turn of the event loop, each
 * as an ordinary call in the queue: never inside a long operation's open transaction, and a
 * call that arrives meanwhile waits for one slice at most.
 */
import { foldRoleIndex, roleIndexTrails } from '../core/role-index'
import type { Store } from '../core/store'
import type { CallQueue } from './operations'

export interface RoleIndexFolding {
  /** After each call: starts catching up if anything trails and it is not already running. */
  afterCall(): void
}

export function roleIndexFolding(queue: CallQueue, currentStore: () => Store): RoleIndexFolding {
  let running = false
  const writable = (store: Store): boolean => store.sqlite.open && !store.sqlite.readonly

  const run = async (): Promise<void> => {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      const caughtUp = await queue.shared(async () => {
        // The store read at each slice: an `openDatabase` may have replaced it (or closed it).
        const store = currentStore()
        return !writable(store) || foldRoleIndex(store) === 0
      })
      if (caughtUp) return
    }
  }

  return {
    afterCall() {
      if (running) return
      const store = currentStore()
      if (!writable(store) || !roleIndexTrails(store)) return
      running = true
      void run()
        .catch((error: unknown) => {
          // Only speed is lost: reads count trailing users in, and the next call starts it again.
          console.error('[rolekeeper] catching up the role index failed:', error)
        })
        .finally(() => {
          running = false
        })
    }
  }
}
