import { useEffect, useId, useState } from 'react'
import type { RoleDetail, RoleSummary } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { useRoles } from '../state/roles'
import { describeError } from '../errors'
import { plural } from '../format'
import { ConfirmDialog } from './ConfirmDialog'

interface DeleteRoleDialogProps {
  open: boolean
  role: RoleDetail
  onCancel: () => void
  /** The role is gone; `movedTo` is the role its members moved to, or null when they became Public. */
  onDeleted: (affected: number, movedTo: RoleSummary | null) => void
}

const PUBLIC_AND_SUSPENDED = ''

/** Mount it when it opens: each opening starts from "Make them Public and suspended". */
export function DeleteRoleDialog({ open, role, onCancel, onDeleted }: DeleteRoleDialogProps) {
  const [targets, setTargets] = useState<RoleSummary[]>([])
  const [target, setTarget] = useState(PUBLIC_AND_SUSPENDED)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const selectId = useId()

  useEffect(() => {
    if (!open) return
    let current = true
    void useRoles
      .getState()
      .load()
      .then((overview) => {
        if (current && overview) setTargets(overview.roles.filter((other) => other.id !== role.id))
      })
    return () => {
      current = false
    }
  }, [open, role.id])

  const confirm = async (): Promise<void> => {
    setBusy(true)
    const result = await api.deleteRole({ id: role.id, moveMembersTo: target === PUBLIC_AND_SUSPENDED ? null : target })
    setBusy(false)
    if (!result.ok) {
      setError(describeError(result.error))
      return
    }
    onDeleted(result.value.affected, targets.find((other) => other.id === target) ?? null)
  }

  const members = role.memberCount
  return (
    <ConfirmDialog
      open={open}
      title="Delete role"
      description={
        members === 0
          ? `Delete the ${role.name} role? No users have it. This cannot be undone.`
          : `Delete the ${role.name} role? ${plural(members, 'user has', 'users have')} it and will be affected. This cannot be undone.`
      }
      confirmLabel="Delete role"
      destructive
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={onCancel}
    >
      {members > 0 ? (
        <div className="field">
          <label htmlFor={selectId} className="field-label">
            Move its {plural(members, 'member', 'members')} to
          </label>
          <select id={selectId} className="input select" value={target} onChange={(event) => setTarget(event.target.value)}>
            <option value={PUBLIC_AND_SUSPENDED}>Make them Public and suspended</option>
            {targets.map((other) => (
              <option key={other.id} value={other.id}>
                {other.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </ConfirmDialog>
  )
}
