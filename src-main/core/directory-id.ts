/**
 * The stable id of this directory, `urn:rolekeeper:<uuid>`: the issuer of its invite tokens and
 * the name its hand-off files give it. Made once, the first time it is needed, and kept in the
 * database, so every file and token from this database names the same directory.
 */
import { randomUUID } from 'node:crypto'
import type { Store } from './store'

const KEY = 'directoryId'

export function directoryIssuer(store: Store): string {
  const read = (): string | null => {
    const row = store.prepare<{ value: string }>('SELECT value FROM settings WHERE key = ?').get(KEY)
    const value: unknown = row ? JSON.parse(row.value) : null
    return typeof value === 'string' ? value : null
  }
  const existing = read()
  if (existing) return existing
  return store.transaction(() => {
    const id = read() ?? `urn:rolekeeper:${randomUUID()}`
    store.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(KEY, JSON.stringify(id))
    return id
  })
}
