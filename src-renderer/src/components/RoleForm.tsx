import { useId, type ReactNode } from 'react'
import type { RoleDetail } from '../../../src-main/ipc/contract'
import { LIMITS } from '../../../src-main/core/model'
import { ipEntryProblem } from '../../../src-main/core/rules'
import { useRolePage, type RoleField, type RolePatch } from '../state/rolePage'
import { IconPicker } from './IconPicker'

function Field({
  label,
  hint,
  error,
  children
}: {
  label: string
  hint?: string
  error?: string | undefined
  children: (ids: { inputId: string; describedBy: string | undefined }) => ReactNode
}) {
  const inputId = useId()
  const hintId = useId()
  const errorId = useId()
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined
  return (
    <div className="field">
      <label htmlFor={inputId} className="field-label">
        {label}
      </label>
      {children({ inputId, describedBy })}
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  )
}

function Switch({
  label,
  hint,
  checked,
  onChange
}: {
  label: string
  hint: string
  checked: boolean
  onChange: (checked: boolean) => void
}) {
  const hintId = useId()
  return (
    <label className="switch-field">
      <span className="switch-text">
        <span className="field-label">{label}</span>
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      </span>
      <input
        type="checkbox"
        role="switch"
        className="switch"
        checked={checked}
        aria-describedby={hintId}
        onChange={(event) => onChange(event.target.checked)}
      />
    </label>
  )
}

interface IpProblem {
  line: number
  entry: string
  message: string
}

/** Problems per line of the allow-list: the server's (by entry index) first, else the quick local check. */
function ipProblems(text: string, serverErrors: Record<string, string>): IpProblem[] {
  const problems: IpProblem[] = []
  let entryIndex = 0
  text.split(/\r?\n/).forEach((raw, lineIndex) => {
    const entry = raw.trim()
    if (!entry) return
    const message = serverErrors[`ipAccess.${entryIndex}`] ?? ipEntryProblem(entry)
    if (message) problems.push({ line: lineIndex + 1, entry, message })
    entryIndex++
  })
  return problems
}

export function RoleForm({ role }: { role: RoleDetail }) {
  const staged = useRolePage((state) => state.staged.role)
  const ipText = useRolePage((state) => state.ipText)
  const roleErrors = useRolePage((state) => state.failure?.roleFields)
  const editRole = useRolePage((state) => state.editRole)
  const editIpText = useRolePage((state) => state.editIpText)
  const errors = roleErrors ?? {}

  const value = <F extends RoleField>(field: F): NonNullable<RolePatch[F]> | RoleDetail[F] => staged[field] ?? role[field]

  const nameValue = value('name')
  const nameError = errors.name ?? (nameValue.trim() === '' ? 'A role needs a name.' : undefined)
  const problems = ipProblems(ipText, errors)
  const ipListError = errors.ipAccess
  const ipErrorId = useId()

  return (
    <section className="card role-form" aria-labelledby="role-form-title">
      <h2 id="role-form-title" className="card-title">
        Role settings
      </h2>
      <Field label="Name" error={nameError}>
        {({ inputId, describedBy }) => (
          <input
            id={inputId}
            className="input"
            value={nameValue}
            maxLength={LIMITS.roleName}
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={describedBy}
            onChange={(event) => editRole('name', event.target.value)}
          />
        )}
      </Field>

      <IconPicker value={value('icon')} onChange={(icon) => editRole('icon', icon)} />

      <Field label="Description" error={errors.description}>
        {({ inputId, describedBy }) => (
          <textarea
            id={inputId}
            className="input textarea"
            rows={3}
            maxLength={LIMITS.roleDescription}
            value={value('description') ?? ''}
            aria-describedby={describedBy}
            onChange={(event) => editRole('description', event.target.value === '' ? null : event.target.value)}
          />
        )}
      </Field>

      <div className="switches">
        <Switch
          label="Admin access"
          hint="Members can manage every user, role and setting."
          checked={value('adminAccess')}
          onChange={(checked) => editRole('adminAccess', checked)}
        />
        <Switch
          label="App access"
          hint="Members can sign in to the app."
          checked={value('appAccess')}
          onChange={(checked) => editRole('appAccess', checked)}
        />
        <Switch
          label="Enforce 2FA"
          hint="Members must set up two-factor authentication."
          checked={value('enforceTfa')}
          onChange={(checked) => editRole('enforceTfa', checked)}
        />
      </div>

      <Field label="IP allow-list" hint="One IPv4 or IPv6 address or CIDR range per line. Empty allows any address." error={ipListError}>
        {({ inputId, describedBy }) => (
          <textarea
            id={inputId}
            className="input textarea mono"
            rows={4}
            spellCheck={false}
            placeholder={'192.168.0.0/24\n2001:db8::/32'}
            value={ipText}
            aria-invalid={problems.length > 0 ? true : undefined}
            aria-describedby={[describedBy, problems.length > 0 ? ipErrorId : null].filter(Boolean).join(' ') || undefined}
            onChange={(event) => editIpText(event.target.value)}
          />
        )}
      </Field>
      {problems.length > 0 ? (
        <ul id={ipErrorId} className="ip-problems">
          {problems.map((problem) => (
            <li key={`${problem.line}:${problem.entry}`} className="field-error">
              Line {problem.line}: <code className="mono">{problem.entry}</code> — {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
