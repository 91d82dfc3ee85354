import { useEffect, useRef, useState, type FormEvent } from 'react'
import { LIMITS, USER_STATUSES, type UserStatus } from '../../../src-main/core/model'
import type { CallInput } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, FieldError, fieldProps, useDrawerClose, useDrawerDirty } from './Drawer'

export type UserDraft = NonNullable<CallInput<'saveRoleChanges'>['create']>[number]

export interface CreateUserDrawerProps {
  open: boolean
  onOpenChange(open: boolean): void
  /** Emails already staged on the role page: a new user may not repeat one. */
  stagedEmails: string[]
  onStage(draft: UserDraft): void
}

interface Form {
  email: string
  firstName: string
  lastName: string
  password: string
  status: UserStatus
  title: string
  location: string
  description: string
  tags: string
}

type FieldName = keyof Form

const EMPTY_FORM: Form = {
  email: '',
  firstName: '',
  lastName: '',
  password: '',
  status: 'active',
  title: '',
  location: '',
  description: '',
  tags: ''
}

const STATUS_LABELS: Record<UserStatus, string> = {
  draft: 'Draft',
  invited: 'Invited',
  active: 'Active',
  suspended: 'Suspended',
  archived: 'Archived'
}

/** The order fields are checked in, so focus lands on the first one that needs attention. */
const FIELD_ORDER: FieldName[] = ['email', 'firstName', 'lastName', 'password', 'status', 'title', 'location', 'description', 'tags']

const ID = 'create-user'

export function CreateUserDrawer({ open, onOpenChange, stagedEmails, onStage }: CreateUserDrawerProps) {
  return (
    <Drawer open={open} onOpenChange={onOpenChange}>
      <CreateUserForm stagedEmails={stagedEmails} onStage={onStage} />
    </Drawer>
  )
}

function CreateUserForm({ stagedEmails, onStage }: Pick<CreateUserDrawerProps, 'stagedEmails' | 'onStage'>) {
  const { requestClose, close } = useDrawerClose()
  const [form, setForm] = useState<Form>(EMPTY_FORM)
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({})
  const [policyText, setPolicyText] = useState<string | null>(null)
  const [passwordVisible, setPasswordVisible] = useState(false)
  const [checking, setChecking] = useState(false)
  const formRef = useRef<HTMLDivElement>(null)
  // Each edit or check bumps its field's counter, so a slow answer about an old value is dropped.
  const checks = useRef<Partial<Record<FieldName, number>>>({})
  const nextCheck = (field: FieldName): number => {
    const value = (checks.current[field] ?? 0) + 1
    checks.current[field] = value
    return value
  }

  useEffect(() => {
    let current = true
    void api.getSettings().then((result) => {
      if (current && result.ok) setPolicyText(result.value.passwordPolicyText)
    })
    return () => {
      current = false
    }
  }, [])

  useDrawerDirty(FIELD_ORDER.some((field) => form[field] !== EMPTY_FORM[field]))

  const change = (field: FieldName, value: string): void => {
    setForm((previous) => ({ ...previous, [field]: value }))
    nextCheck(field)
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }))
  }

  const checkEmailField = async (email: string): Promise<string | undefined> => {
    const trimmed = email.trim()
    if (trimmed.length === 0) return 'An email address is required.'
    if (trimmed.length > LIMITS.email) return `At most ${LIMITS.email} characters.`
    // The store's own parser judges the syntax, so the drawer and Save never disagree.
    const preview = await api.previewInvites({ text: trimmed })
    if (!preview.ok) return describeError(preview.error)
    const [entry, ...more] = preview.value.entries
    if (!entry || more.length > 0) return 'Enter one email address.'
    if (entry.status === 'invalid') return entry.reason ?? 'Not a valid email address.'
    if (entry.email !== trimmed) return 'Enter the address only, without a name.'
    const key = trimmed.toLowerCase()
    if (stagedEmails.some((staged) => staged.trim().toLowerCase() === key)) {
      return 'This address is already staged as a new user on this page.'
    }
    const existing = await api.listUsers({ filter: { search: trimmed }, limit: 20 })
    if (existing.ok && existing.value.rows.some((user) => user.email.toLowerCase() === key)) {
      return 'A user with this email address already exists.'
    }
    return undefined
  }

  const checkPasswordField = async (password: string): Promise<string | undefined> => {
    if (password.length === 0) return undefined
    const result = await api.checkPassword({ password })
    if (!result.ok) return describeError(result.error)
    return result.value.ok ? undefined : (result.value.message ?? 'The password does not satisfy the password policy.')
  }

  const checkLength = (value: string, max: number): string | undefined =>
    value.trim().length > max ? `At most ${max} characters.` : undefined

  const tagList = (text: string): string[] =>
    Array.from(new Set(text.split(',').map((tag) => tag.trim()).filter((tag) => tag.length > 0)))

  const checkTags = (text: string): string | undefined => {
    const list = tagList(text)
    if (list.length > LIMITS.tags) return `At most ${LIMITS.tags} tags.`
    const long = list.find((tag) => tag.length > LIMITS.tagLength)
    return long ? `“${long}” is longer than ${LIMITS.tagLength} characters.` : undefined
  }

  const validateEmailOnBlur = async (): Promise<void> => {
    if (form.email.trim().length === 0) return
    const check = nextCheck('email')
    const error = await checkEmailField(form.email)
    if (checks.current.email === check) setErrors((previous) => ({ ...previous, email: error }))
  }

  const validatePasswordOnBlur = async (): Promise<void> => {
    const check = nextCheck('password')
    const error = await checkPasswordField(form.password)
    if (checks.current.password === check) setErrors((previous) => ({ ...previous, password: error }))
  }

  const generatePassword = async (): Promise<void> => {
    let candidate = randomPassword()
    // A custom pattern may want something else: try a few before showing what the policy says.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await api.checkPassword({ password: candidate })
      if (!result.ok || result.value.ok) break
      candidate = randomPassword()
    }
    setForm((previous) => ({ ...previous, password: candidate }))
    setPasswordVisible(true)
    const check = nextCheck('password')
    const error = await checkPasswordField(candidate)
    if (checks.current.password === check) setErrors((previous) => ({ ...previous, password: error }))
  }

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault()
    if (checking) return
    setChecking(true)
    nextCheck('email')
    nextCheck('password')
    try {
      const [emailError, passwordError] = await Promise.all([checkEmailField(form.email), checkPasswordField(form.password)])
      const found: Partial<Record<FieldName, string>> = {
        email: emailError,
        firstName: checkLength(form.firstName, LIMITS.personName),
        lastName: checkLength(form.lastName, LIMITS.personName),
        password: passwordError,
        title: checkLength(form.title, LIMITS.profileText),
        location: checkLength(form.location, LIMITS.profileText),
        description: checkLength(form.description, LIMITS.userDescription),
        tags: checkTags(form.tags)
      }
      setErrors(found)
      const firstInvalid = FIELD_ORDER.find((field) => found[field])
      if (firstInvalid) {
        formRef.current?.querySelector<HTMLElement>(`#${ID}-${firstInvalid}`)?.focus()
        return
      }
      const text = (value: string): string | null => (value.trim().length > 0 ? value.trim() : null)
      onStage({
        email: form.email.trim(),
        firstName: text(form.firstName),
        lastName: text(form.lastName),
        password: form.password.length > 0 ? form.password : null,
        status: form.status,
        title: text(form.title),
        location: text(form.location),
        description: text(form.description),
        tags: tagList(form.tags)
      })
      close()
    } finally {
      setChecking(false)
    }
  }

  const textField = (field: FieldName, label: string, options: { max: number; type?: string; autoComplete?: string }) => (
    <div className="drawer-field">
      <label htmlFor={`${ID}-${field}`}>{label}</label>
      <input
        {...fieldProps(`${ID}-${field}`, errors[field])}
        type={options.type ?? 'text'}
        value={form[field]}
        maxLength={options.max}
        autoComplete={options.autoComplete ?? 'off'}
        onChange={(event) => change(field, event.target.value)}
      />
      <FieldError id={`${ID}-${field}`} error={errors[field]} />
    </div>
  )

  return (
    <form className="drawer-form" noValidate onSubmit={(event) => void submit(event)}>
      <DrawerHeader title="Create user" description="The user becomes a member of this role when you save the role." />
      <DrawerBody>
        <div ref={formRef} className="drawer-fields">
          <div className="drawer-field">
            <label htmlFor={`${ID}-email`}>
              Email <span className="drawer-required">(required)</span>
            </label>
            <input
              {...fieldProps(`${ID}-email`, errors.email)}
              type="email"
              data-autofocus
              value={form.email}
              maxLength={LIMITS.email}
              autoComplete="off"
              spellCheck={false}
              aria-required="true"
              onChange={(event) => change('email', event.target.value)}
              onBlur={() => void validateEmailOnBlur()}
            />
            <FieldError id={`${ID}-email`} error={errors.email} />
          </div>

          <div className="drawer-field-row">
            {textField('firstName', 'First name', { max: LIMITS.personName, autoComplete: 'off' })}
            {textField('lastName', 'Last name', { max: LIMITS.personName, autoComplete: 'off' })}
          </div>

          <div className="drawer-field">
            <label htmlFor={`${ID}-password`}>Password</label>
            <p id={`${ID}-password-policy`} className="drawer-hint">
              {policyText ? `Password policy: ${policyText}` : 'Loading the password policy…'} Leave empty to let the user set
              one from an invite.
            </p>
            <div className="drawer-input-group">
              <input
                {...fieldProps(`${ID}-password`, errors.password, `${ID}-password-policy`)}
                type={passwordVisible ? 'text' : 'password'}
                value={form.password}
                maxLength={LIMITS.password}
                autoComplete="new-password"
                spellCheck={false}
                onChange={(event) => change('password', event.target.value)}
                onBlur={() => void validatePasswordOnBlur()}
              />
              <button
                type="button"
                className="drawer-button drawer-button--quiet"
                aria-label="Show password"
                aria-pressed={passwordVisible}
                onClick={() => setPasswordVisible((visible) => !visible)}
              >
                {passwordVisible ? 'Hide' : 'Show'}
              </button>
              <button type="button" className="drawer-button" onClick={() => void generatePassword()}>
                Generate password
              </button>
            </div>
            <FieldError id={`${ID}-password`} error={errors.password} />
          </div>

          <div className="drawer-field">
            <label htmlFor={`${ID}-status`}>Status</label>
            <select
              {...fieldProps(`${ID}-status`, errors.status)}
              value={form.status}
              onChange={(event) => {
                const status = USER_STATUSES.find((candidate) => candidate === event.target.value)
                if (status) change('status', status)
              }}
            >
              {USER_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </select>
            <FieldError id={`${ID}-status`} error={errors.status} />
          </div>

          <div className="drawer-field-row">
            {textField('title', 'Title', { max: LIMITS.profileText })}
            {textField('location', 'Location', { max: LIMITS.profileText })}
          </div>

          <div className="drawer-field">
            <label htmlFor={`${ID}-description`}>Description</label>
            <textarea
              {...fieldProps(`${ID}-description`, errors.description)}
              value={form.description}
              maxLength={LIMITS.userDescription}
              rows={3}
              onChange={(event) => change('description', event.target.value)}
            />
            <FieldError id={`${ID}-description`} error={errors.description} />
          </div>

          <div className="drawer-field">
            <label htmlFor={`${ID}-tags`}>Tags</label>
            <p id={`${ID}-tags-hint`} className="drawer-hint">
              Separate tags with commas.
            </p>
            <input
              {...fieldProps(`${ID}-tags`, errors.tags, `${ID}-tags-hint`)}
              type="text"
              value={form.tags}
              autoComplete="off"
              onChange={(event) => change('tags', event.target.value)}
            />
            <FieldError id={`${ID}-tags`} error={errors.tags} />
          </div>
        </div>
      </DrawerBody>
      <DrawerFooter>
        <button type="button" className="drawer-button" onClick={requestClose}>
          Cancel
        </button>
        <button type="submit" className="drawer-button drawer-button--primary" aria-busy={checking || undefined}>
          Save user
        </button>
      </DrawerFooter>
    </form>
  )
}

const PASSWORD_ALPHABETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%&*+-=?@_'] as const
const PASSWORD_LENGTH = 20

/** 20 characters with every class the built-in policies ask for; look-alikes left out. */
function randomPassword(): string {
  const all = PASSWORD_ALPHABETS.join('')
  const pick = (alphabet: string): string => alphabet[uniformIndex(alphabet.length)] ?? ''
  const characters = PASSWORD_ALPHABETS.map(pick)
  while (characters.length < PASSWORD_LENGTH) characters.push(pick(all))
  for (let i = characters.length - 1; i > 0; i--) {
    const j = uniformIndex(i + 1)
    const a = characters[i] ?? ''
    characters[i] = characters[j] ?? ''
    characters[j] = a
  }
  return characters.join('')
}

/** An index below `size` without modulo bias. */
function uniformIndex(size: number): number {
  const limit = Math.floor(0x1_0000_0000 / size) * size
  const buffer = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(buffer)
    const value = buffer[0] ?? 0
    if (value < limit) return value % size
  }
}
