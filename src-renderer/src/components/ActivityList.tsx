import { useId } from 'react'
import type { ActivityCollection, ActivityEntry } from '../../../src-main/ipc/contract'
import { Icon } from './Icon'

export const ACTION_LABELS: Record<string, string> = {
  'role.create': 'Role created',
  'role.update': 'Role changed',
  'role.save': 'Role saved',
  'role.delete': 'Role deleted',
  'user.create': 'User created',
  'user.update': 'User changed',
  'user.bulk_update': 'Users changed in bulk',
  'user.delete': 'Users deleted',
  'user.invite': 'Users invited',
  'user.invite.resend': 'Invite resent',
  'user.invite.revoke': 'Invite revoked',
  'user.invite.accept': 'Invite accepted',
  'user.import': 'Users imported',
  'settings.update': 'Settings changed',
  'settings.directus_target': 'Directus target changed'
}

export const COLLECTION_LABELS: Record<ActivityCollection, string> = { roles: 'Roles', users: 'Users', settings: 'Settings' }

const COLLECTION_ICONS: Record<ActivityCollection, string> = {
  roles: 'admin_panel_settings',
  users: 'person',
  settings: 'settings'
}

export const actionLabel = (action: string): string => ACTION_LABELS[action] ?? action

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export interface Change {
  field: string
  before: unknown
  after: unknown
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The keys whose value differs between before and after; a whole value when either is not an object. */
export function changesOf(before: unknown, after: unknown): Change[] {
  const beforeIsObject = isRecord(before) || before === null || before === undefined
  const afterIsObject = isRecord(after) || after === null || after === undefined
  if (!beforeIsObject || !afterIsObject) return [{ field: '', before, after }]
  const left = isRecord(before) ? before : {}
  const right = isRecord(after) ? after : {}
  const fields = [...new Set([...Object.keys(left), ...Object.keys(right)])]
  // A log entry of a creation or deletion has one side only: every field is news.
  const oneSided = !isRecord(before) || !isRecord(after)
  return fields
    .filter((field) => oneSided || JSON.stringify(left[field]) !== JSON.stringify(right[field]))
    .map((field) => ({ field, before: left[field], after: right[field] }))
}

const MAX_VALUE_CHARACTERS = 400
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** A value as an administrator reads it; long lists and records are cut short. */
export function readableValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—'
  if (typeof value === 'string') return ISO_TIME.test(value) ? timeFormat.format(new Date(value)) : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) {
    const text = value.length === 0 ? '(none)' : value.join(', ')
    return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS)}… (${value.length} in all)` : text
  }
  const text = JSON.stringify(value)
  return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS)}…` : text
}

/** `inviteExpiresAt` → `invite expires at`. */
const fieldLabel = (field: string): string =>
  field === ''
    ? 'Value'
    : field
        .replace(/_/g, ' ')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .replace(/^./, (c) => c.toUpperCase())

const present = (value: unknown): boolean => value !== undefined && value !== null

export function ChangeTable({ entry }: { entry: ActivityEntry }) {
  const changes = changesOf(entry.before, entry.after)
  if (changes.length === 0) return <p className="muted activity-nochange">No details were recorded for this change.</p>
  return (
    <table className="activity-diff">
      <caption className="visually-hidden">Before and after</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr key={change.field}>
            <th scope="row">{fieldLabel(change.field)}</th>
            <td className={present(change.before) ? 'activity-before' : undefined}>{readableValue(change.before)}</td>
            <td className={present(change.after) ? 'activity-after' : undefined}>{readableValue(change.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** One log entry: what happened, who, when; expands to its before and after. */
export function ActivityItem({ entry, expanded, onToggle }: { entry: ActivityEntry; expanded: boolean; onToggle: () => void }) {
  const detailsId = useId()
  const records = entry.recordIds.length
  return (
    <div className={expanded ? 'activity-item is-expanded' : 'activity-item'}>
      <button
        type="button"
        className="activity-summary"
        aria-expanded={expanded}
        aria-controls={expanded ? detailsId : undefined}
        onClick={onToggle}
      >
        <span className={`activity-icon activity-icon--${entry.collection}`}>
          <Icon name={COLLECTION_ICONS[entry.collection]} />
        </span>
        <span className="activity-text">
          <span className="activity-title">{entry.summary}</span>
          <span className="activity-meta">
            {actionLabel(entry.action)} · {entry.actor} · <time dateTime={entry.at}>{timeFormat.format(new Date(entry.at))}</time>
            {records > 1 ? ` · ${records.toLocaleString()} records` : ''}
          </span>
        </span>
        <Icon name={expanded ? 'expand_less' : 'expand_more'} className="activity-chevron" />
      </button>
      {expanded ? (
        <div id={detailsId} className="activity-details">
          <ChangeTable entry={entry} />
        </div>
      ) : null}
    </div>
  )
}
