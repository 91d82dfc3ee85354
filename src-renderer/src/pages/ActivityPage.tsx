import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, useState } from 'react'
import { ACTIVITY_COLLECTIONS } from '../../../src-main/core/model'
import { ACTION_LABELS, ActivityItem, COLLECTION_LABELS } from '../components/ActivityList'
import { Icon } from '../components/Icon'
import { api } from '../api'
import { describeError } from '../errors'
import { displayName } from '../format'
import { navigate } from '../router'
import { useActivity } from '../state/activity'
import '../styles/directory.css'

const ESTIMATED_ROW_HEIGHT = 64
const PREFETCH_ROWS = 30
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A user's email for the record filter's label, when the record is a user that still exists. */
function useRecordLabel(recordId: string | undefined): string | null {
  const [label, setLabel] = useState<{ id: string; text: string } | null>(null)
  useEffect(() => {
    if (!recordId || !UUID.test(recordId)) return
    let current = true
    void api.getUser({ id: recordId }).then((result) => {
      if (current && result.ok) setLabel({ id: recordId, text: displayName(result.value) })
    })
    return () => {
      current = false
    }
  }, [recordId])
  return label && label.id === recordId ? label.text : null
}

export function ActivityPage({ recordId }: { recordId?: string }) {
  const filter = useActivity((state) => state.filter)
  const rows = useActivity((state) => state.rows)
  const nextCursor = useActivity((state) => state.nextCursor)
  const loading = useActivity((state) => state.loading)
  const loaded = useActivity((state) => state.loaded)
  const error = useActivity((state) => state.error)
  const expanded = useActivity((state) => state.expanded)
  const { setFilter, reload, loadMore, toggle } = useActivity.getState()
  const recordLabel = useRecordLabel(recordId)

  useEffect(() => {
    setFilter({ recordId: recordId ?? null })
  }, [recordId, setFilter])

  const scroller = useRef<HTMLDivElement>(null)
  const count = rows.length + (nextCursor ? 1 : 0)
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.id ?? 'more',
    overscan: 8
  })
  const items = virtualizer.getVirtualItems()
  const lastVisible = items[items.length - 1]?.index ?? 0
  useEffect(() => {
    if (nextCursor && !loading && !error && lastVisible >= rows.length - PREFETCH_ROWS) void loadMore()
  }, [lastVisible, rows.length, nextCursor, loading, error, loadMore])

  return (
    <div className="page page--activity">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Activity</h1>
          <p className="page-subtitle">Every change made in Rolekeeper, newest first. Open an entry to see what it was before and after.</p>
        </div>
        <div className="page-actions">
          <button type="button" className="button" onClick={() => void reload()}>
            <Icon name="refresh" />
            Refresh
          </button>
        </div>
      </header>

      <div className="activity-filters">
        <label className="inline-field">
          <span className="field-label">Kind</span>
          <select
            className="input select"
            value={filter.collection ?? ''}
            onChange={(event) => {
              const collection = ACTIVITY_COLLECTIONS.find((candidate) => candidate === event.target.value) ?? null
              setFilter({ collection })
            }}
          >
            <option value="">All kinds</option>
            {ACTIVITY_COLLECTIONS.map((collection) => (
              <option key={collection} value={collection}>
                {COLLECTION_LABELS[collection]}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span className="field-label">Action</span>
          <select
            className="input select"
            value={filter.action ?? ''}
            onChange={(event) => setFilter({ action: event.target.value || null })}
          >
            <option value="">All actions</option>
            {Object.entries(ACTION_LABELS).map(([action, label]) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {recordId ? (
          <span className="record-chip">
            <Icon name="filter_alt" />
            <span>
              History of <strong>{recordLabel ?? recordId}</strong>
            </span>
            <button type="button" className="button button--small" onClick={() => navigate({ page: 'activity' })}>
              Show all activity
            </button>
          </span>
        ) : null}
      </div>

      {error ? (
        <div className="banner banner--error page-banner" role="alert">
          <Icon name="error" />
          <span>{describeError(error)}</span>
          <button type="button" className="button button--small" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      ) : null}

      <div className="card activity-card">
        <div ref={scroller} className="activity-scroll">
          {loaded && rows.length === 0 && !error ? <p className="empty">No activity matches these filters.</p> : null}
          {!loaded ? <p className="empty">Loading activity…</p> : null}
          <div role="list" aria-label="Activity entries" className="activity-list" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const entry = rows[item.index]
              return (
                <div
                  key={item.key}
                  role="listitem"
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  className="activity-slot"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {entry ? (
                    <ActivityItem entry={entry} expanded={expanded.has(entry.id)} onToggle={() => toggle(entry.id)} />
                  ) : (
                    <p className="activity-more muted">Loading more activity…</p>
                  )}
                </div>
              )
            })}
          </div>
        </div>
      </div>
    </div>
  )
}
