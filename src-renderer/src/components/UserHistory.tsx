import type { ActivityEntry } from '../../../src-main/ipc/contract'
import { useEffect, useState } from 'react'
import { api } from '../api'
import { navigate } from '../router'
import { ActivityItem } from './ActivityList'

const HISTORY_PAGE = 10

/** The user's own history, newest first; the Activity page holds the rest. */
export function UserHistory({ userId, version }: { userId: string; version: number }) {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null)
  const [more, setMore] = useState(false)
  const [expanded, setExpanded] = useState<number | null>(null)

  useEffect(() => {
    let current = true
    void api.listActivity({ recordId: userId, limit: HISTORY_PAGE }).then((result) => {
      if (!current) return
      setEntries(result.ok ? result.value.rows : [])
      setMore(result.ok && result.value.nextCursor !== null)
    })
    return () => {
      current = false
    }
  }, [userId, version])

  return (
    <section className="user-history" aria-label="History">
      <h3 className="user-history-title">History</h3>
      {entries === null ? <p className="muted">Loading the history…</p> : null}
      {entries?.length === 0 ? <p className="muted">No changes recorded yet.</p> : null}
      {entries && entries.length > 0 ? (
        <ul className="user-history-list" aria-label="Changes to this user">
          {entries.map((entry) => (
            <li key={entry.id}>
              <ActivityItem
                entry={entry}
                expanded={expanded === entry.id}
                onToggle={() => setExpanded((open) => (open === entry.id ? null : entry.id))}
              />
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="drawer-button drawer-button--small" onClick={() => navigate({ page: 'activity', recordId: userId })}>
        {more ? 'Show the full history in Activity' : 'Open in Activity'}
      </button>
    </section>
  )
}
