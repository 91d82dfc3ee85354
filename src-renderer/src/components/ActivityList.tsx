import { useEffect, useId } from 'react'
import type { ActivityCollection, ActivityEntry } from '../../../src-main/ipc/contract'
import { detailRowsOf, type RoleNameLookup } from '../activityDetails'
import { useRoles } from '../state/roles'
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
  'user.export': 'Users exported',
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

/** Role names today, for entries written before the log kept the name beside the id. */
function useRoleNameLookup(): RoleNameLookup {
  const roles = useRoles((state) => state.overview?.roles)
  useEffect(() => {
    if (!useRoles.getState().overview) void useRoles.getState().load()
  }, [])
  return (roleId) => roles?.find((role) => role.id === roleId)?.name ?? null
}

/** What an entry changed, a row per field (old and new value) or per count; nothing for empty parts. */
export function ChangeTable({ entry }: { entry: ActivityEntry }) {
  const rows = detailRowsOf(entry, useRoleNameLookup())
  if (rows.length === 0) return <p className="muted activity-nochange">No details were recorded for this change.</p>
  const changes = rows.some((row) => 'before' in row)
  return (
    <table className="activity-diff">
      <caption className="visually-hidden">{changes ? 'Before and after' : 'Details'}</caption>
      {changes ? (
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
      ) : null}
      <tbody>
        {rows.map((row, index) => (
          <tr key={`${index}-${row.label}`}>
            <th scope="row">{row.label}</th>
            {'value' in row ? (
              <td colSpan={changes ? 2 : 1}>{row.value}</td>
            ) : (
              <>
                <td className="activity-before">{row.before}</td>
                <td className="activity-after">{row.after}</td>
              </>
            )}
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
