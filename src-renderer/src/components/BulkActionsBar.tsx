import type { ApiError, UserStatus } from '../../../src-main/ipc/contract'
import { USER_STATUSES } from '../../../src-main/core/model'
import { useRef, useState } from 'react'
import { api } from '../api'
import { describeError } from '../errors'
import { formatCount, plural, STATUS_LABELS } from '../format'
import { notify } from '../state/notifications'
import { selectedCountOf, selectionSpecOf, useDirectory } from '../state/users'
import { ConfirmDialog } from './ConfirmDialog'
import { ExportDialog } from './ExportDialog'
import { Icon } from './Icon'
import { ModalDialog } from './ModalDialog'
import { AlertBanner } from './AlertBanner'

type Action = 'assign' | 'remove' | 'status' | 'delete' | 'export' | null

const PUBLIC = ''

function ErrorBanner({ error }: { error: ApiError | null }) {
  if (!error) return null
  const details = error.code === 'last_admin' ? null : Object.values(error.fields ?? {})[0]
  return (
    <AlertBanner
      message={
        <>
          {describeError(error)}
          {details && details !== describeError(error) ? ` ${details}` : ''}
        </>
      }
    />
  )
}

/** What the admin can do to every selected user at once; each action is one atomic change. */
export function BulkActionsBar() {
  const selection = useDirectory((state) => state.selection)
  const total = useDirectory((state) => state.total)
  const filter = useDirectory((state) => state.filter)
  const search = useDirectory((state) => state.search)
  const roles = useDirectory((state) => state.roles)
  const { refresh, clearSelection } = useDirectory.getState()
  const [action, setAction] = useState<Action>(null)
  const [roleId, setRoleId] = useState(PUBLIC)
  const [status, setStatus] = useState<UserStatus>('active')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const roleSelect = useRef<HTMLSelectElement>(null)
  const statusSelect = useRef<HTMLSelectElement>(null)

  const count = selectedCountOf({ selection, total })
  const spec = selectionSpecOf({ selection, filter, search })
  const users = plural(count, 'user', 'users')

  const open = (next: Action): void => {
    setError(null)
    setAction(next)
  }
  const close = (): void => {
    if (!busy) setAction(null)
  }

  const run = async (work: () => Promise<{ ok: true; message: string } | { ok: false; error: ApiError }>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const outcome = await work()
      if (!outcome.ok) {
        setError(outcome.error)
        return
      }
      setAction(null)
      notify({ tone: 'success', message: outcome.message })
      await refresh()
    } finally {
      setBusy(false)
    }
  }

  const assignRole = (): Promise<void> =>
    run(async () => {
      if (!spec) return { ok: false, error: { code: 'validation', message: 'Select users first.' } }
      const result = await api.bulkUpdateUsers({ selection: spec, patch: { roleId: roleId === PUBLIC ? null : roleId } })
      if (!result.ok) return result
      const roleName = roles.find((role) => role.id === roleId)?.name ?? 'Public'
      return { ok: true, message: `Moved ${plural(result.value.updated, 'user', 'users')} to ${roleName}.` }
    })

  const removeRole = (): Promise<void> =>
    run(async () => {
      if (!spec) return { ok: false, error: { code: 'validation', message: 'Select users first.' } }
      const result = await api.bulkUpdateUsers({ selection: spec, patch: { roleId: null } })
      if (!result.ok) return result
      return { ok: true, message: `Removed the role of ${plural(result.value.updated, 'user', 'users')}; they are now Public.` }
    })

  const setStatusOfAll = (): Promise<void> =>
    run(async () => {
      if (!spec) return { ok: false, error: { code: 'validation', message: 'Select users first.' } }
      const result = await api.bulkUpdateUsers({ selection: spec, patch: { status } })
      if (!result.ok) return result
      return { ok: true, message: `Set ${plural(result.value.updated, 'user', 'users')} to ${STATUS_LABELS[status]}.` }
    })

  const deleteAll = (): Promise<void> =>
    run(async () => {
      if (!spec) return { ok: false, error: { code: 'validation', message: 'Select users first.' } }
      const result = await api.deleteUsers({ selection: spec })
      if (!result.ok) return result
      return { ok: true, message: `Deleted ${plural(result.value.deleted, 'user', 'users')}.` }
    })

  if (count === 0 && action === null) return null

  return (
    <>
      {count > 0 ? (
        <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
          <span className="bulk-count">{formatCount(count)} selected</span>
          <button type="button" className="button button--small" onClick={() => open('assign')}>
            <Icon name="badge" />
            Assign role
          </button>
          <button type="button" className="button button--small" onClick={() => open('remove')}>
            <Icon name="person_remove" />
            Remove role
          </button>
          <button type="button" className="button button--small" onClick={() => open('status')}>
            <Icon name="toggle_on" />
            Set status
          </button>
          <button type="button" className="button button--small" onClick={() => open('export')}>
            <Icon name="download" />
            Export
          </button>
          <button type="button" className="button button--small button--danger-quiet" onClick={() => open('delete')}>
            <Icon name="delete" />
            Delete
          </button>
          <span className="bulk-spacer" />
          <button type="button" className="button button--small" onClick={clearSelection}>
            Clear<span className="bulk-clear-more"> selection</span>
          </button>
        </div>
      ) : null}

      <ModalDialog
        open={action === 'assign'}
        onOpenChange={(next) => (next ? undefined : close())}
        title="Assign role"
        description={`Move ${users} to one role. Their status does not change.`}
        initialFocus={() => roleSelect.current}
        onSubmit={() => void assignRole()}
        footer={
          <>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Assign
            </button>
          </>
        }
      >
        <label className="field">
          <span className="field-label">Role</span>
          <select ref={roleSelect} className="input select" value={roleId} onChange={(event) => setRoleId(event.target.value)}>
            <option value={PUBLIC}>Public (no role)</option>
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {role.name}
              </option>
            ))}
          </select>
        </label>
        <ErrorBanner error={error} />
      </ModalDialog>

      <ModalDialog
        open={action === 'status'}
        onOpenChange={(next) => (next ? undefined : close())}
        title="Set status"
        description={`Give ${users} the same status.`}
        initialFocus={() => statusSelect.current}
        onSubmit={() => void setStatusOfAll()}
        footer={
          <>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Apply
            </button>
          </>
        }
      >
        <label className="field">
          <span className="field-label">Status</span>
          <select
            ref={statusSelect}
            className="input select"
            value={status}
            onChange={(event) => {
              const next = USER_STATUSES.find((candidate) => candidate === event.target.value)
              if (next) setStatus(next)
            }}
          >
            {USER_STATUSES.map((candidate) => (
              <option key={candidate} value={candidate}>
                {STATUS_LABELS[candidate]}
              </option>
            ))}
          </select>
        </label>
        {status === 'invited' ? <p className="field-hint">Users who were not invited yet get a fresh invite link.</p> : null}
        <ErrorBanner error={error} />
      </ModalDialog>

      <ConfirmDialog
        open={action === 'remove'}
        title="Remove role"
        description={`${users} will have no role (Public). Their status does not change.`}
        confirmLabel="Remove role"
        busy={busy}
        onConfirm={() => void removeRole()}
        onCancel={close}
      >
        <ErrorBanner error={error} />
      </ConfirmDialog>

      <ConfirmDialog
        open={action === 'delete'}
        title="Delete users"
        description={`Delete ${users}? This cannot be undone.`}
        confirmLabel={`Delete ${users}`}
        destructive
        busy={busy}
        onConfirm={() => void deleteAll()}
        onCancel={close}
      >
        <ErrorBanner error={error} />
      </ConfirmDialog>

      {action === 'export' && spec ? (
        <ExportDialog
          open
          title="Export users"
          onOpenChange={(next) => (next ? undefined : setAction(null))}
          scopes={[
            {
              label: selection.kind === 'filter' ? `The ${users} matching this filter` : `The ${users} selected`,
              scope: { kind: 'users', selection: spec }
            },
            { label: 'Every pending invite', scope: { kind: 'allInvites' } }
          ]}
        />
      ) : null}
    </>
  )
}
