/**
 * Reloading a list as the admin types, without a fixed wait: each keystroke asks at once, but
 * only one request is in flight at a time. A keystroke made while one is out supersedes it:
 * its answer is dropped on arrival and the newest query is sent in its place, so a burst of
 * typing costs at most one stale round trip and the answer shown is always the newest query's.
 */
export function latestOnly<T>(request: () => Promise<T>, apply: (value: T) => void): () => Promise<void> {
  let running: Promise<void> | null = null
  let asked = 0
  return () => {
    asked++
    running ??= (async () => {
      try {
        for (;;) {
          const ticket = asked
          const value = await request()
          if (ticket === asked) {
            apply(value)
            return
          }
        }
      } finally {
        running = null
      }
    })()
    return running
  }
}
