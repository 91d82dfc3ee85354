import type { ActivityCollection, ActivityEntry, ActivityPage } from './model'
import type { ListActivityInput } from './inputs'
import type { Store } from './store'
import { decodeCursor, encodeCursor } from './cursor'

export interface ActivityRecord {
  /** What happened, `<collection-ish>.<verb>`: `role.update`, `user.invite`, `role.save`… */
  action: string
  collection: ActivityCollection
  recordIds: readonly string[]
  summary: string
  before?: unknown
  after?: unknown
}

/**
 * Record one change in the activity log. Call it inside the transaction that made the change,
 * so the log and the data can never disagree.
 */
export function recordActivity(store: Store, record: ActivityRecord): number {
  const { lastInsertRowid } = store.run(
    store.db.insertInto('activity').values({
      at: store.now().toISOString(),
      actor: store.actor,
      action: record.action,
      collection: record.collection,
      record_ids: JSON.stringify(record.recordIds),
      summary: record.summary,
      before: record.before === undefined ? null : JSON.stringify(record.before),
      after: record.after === undefined ? null : JSON.stringify(record.after)
    })
  )
  const activityId = Number(lastInsertRowid)
  if (record.recordIds.length === 1) {
    store.prepare('INSERT OR IGNORE INTO activity_records (activity_id, record_id) VALUES (?, ?)').run(activityId, record.recordIds[0])
  } else if (record.recordIds.length > 1) {
    // One set-based statement: a bulk change can name tens of thousands of records.
    store
      .prepare('INSERT OR IGNORE INTO activity_records (activity_id, record_id) SELECT ?, value FROM json_each(?)')
      .run(activityId, JSON.stringify(record.recordIds))
  }
  return activityId
}

/** The log, newest first, optionally for one kind of record, one action or one record. */
export function listActivity(store: Store, input: ListActivityInput): ActivityPage {
  const before = input.after ? decodeCursor(input.after, 'number')[0] : null
  let query = store.db.selectFrom('activity').selectAll('activity')
  if (input.recordId !== undefined) {
    query = query
      .innerJoin('activity_records', 'activity_records.activity_id', 'activity.id')
      .where('activity_records.record_id', '=', input.recordId)
  }
  if (input.collection !== undefined) query = query.where('activity.collection', '=', input.collection)
  if (input.action !== undefined) query = query.where('activity.action', '=', input.action)
  if (before !== null) query = query.where('activity.id', '<', before)
  const rows = store.all(query.orderBy('activity.id', 'desc').limit(input.limit + 1))
  const page = rows.slice(0, input.limit).map((row): ActivityEntry => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    collection: row.collection,
    recordIds: JSON.parse(row.record_ids) as string[], // written by recordActivity only
    summary: row.summary,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after)
  }))
  const last = page.at(-1)
  return {
    rows: page,
    nextCursor: rows.length > input.limit && last ? encodeCursor(last.id) : null
  } satisfies ActivityPage
}
