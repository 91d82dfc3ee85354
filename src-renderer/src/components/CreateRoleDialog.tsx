import { useId, useRef, useState } from 'react'
import type { ApiError } from '../../../src-main/ipc/contract'
import { LIMITS } from '../../../src-main/core/model'
import { api } from '../api'
import { describeError, fieldError } from '../errors'
import { navigate } from '../router'
import { notify } from '../state/notifications'
import { ModalDialog } from './ModalDialog'

/** Asks only for the name; everything else is set on the new role's page. */
export function CreateRoleDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const inputId = useId()
  const errorId = useId()

  const reset = (): void => {
    setName('')
    setError(null)
    setBusy(false)
  }

  const create = async (): Promise<void> => {
    const trimmed = name.trim()
    if (!trimmed) {
      setError('A role needs a name.')
      input.current?.focus()
      return
    }
    setBusy(true)
    const result = await api.createRole({ name: trimmed })
    setBusy(false)
    if (!result.ok) {
      setError(messageFor(result.error))
      input.current?.focus()
      return
    }
    reset()
    onOpenChange(false)
    notify({ tone: 'success', message: `Created the ${result.value.name} role.` })
    navigate({ page: 'role', roleId: result.value.id })
  }

  return (
    <ModalDialog
      open={open}
      onOpenChange={(next) => {
        if (!next) reset()
        onOpenChange(next)
      }}
      title="Create role"
      description="Give the role a name. You can set its icon, access and members next."
      onSubmit={() => void create()}
      initialFocus={() => input.current}
      footer={
        <>
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            Create role
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={inputId} className="field-label">
          Name
        </label>
        <input
          id={inputId}
          ref={input}
          className="input"
          value={name}
          maxLength={LIMITS.roleName}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value)
            setError(null)
          }}
        />
        {error ? (
          <p id={errorId} className="field-error">
            {error}
          </p>
        ) : null}
      </div>
    </ModalDialog>
  )
}

function messageFor(error: ApiError): string {
  return fieldError(error, 'name') ?? describeError(error)
}
