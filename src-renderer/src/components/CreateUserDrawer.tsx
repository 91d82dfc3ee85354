import { useEffect, useRef, useState, type FormEvent } from 'react'
import type { CallInput, UserStatus } from '../../../src-main/ipc/contract'
import { LIMITS } from '../../../src-main/core/model'
import { generatePassword } from '../../../src-main/core/rules'
import { api } from '../api'
import { copyToClipboard } from '../clipboard'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, FieldError, fieldProps, useDrawerClose, useDrawerDirty } from './Drawer'
import { checkLength, checkTags, StatusField, tagList, textOrNull, UserFields } from './UserFields'

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

  const fillGeneratedPassword = async (): Promise<void> => {
    let candidate = generatePassword()
    // A custom pattern may want something else: try a few before showing what the policy says.
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await api.checkPassword({ password: candidate })
      if (!result.ok || result.value.ok) break
      candidate = generatePassword()
    }
    setForm((previous) => ({ ...previous, password: candidate }))
    setPasswordVisible(true)
    const check = nextCheck('password')
    const error = await checkPasswordField(candidate)
    if (checks.current.password === check) setErrors((previous) => ({ ...previous, password: error }))
  }

  // The admin hands a generated password on by hand: it is shown once, here, and never stored in clear.
  const copyPassword = async (): Promise<void> => {
    const copied = await copyToClipboard(form.password)
    notify(
      copied
        ? { tone: 'success', message: 'Copied the password.' }
        : { tone: 'error', message: 'The password could not be copied to the clipboard.' }
    )
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
      onStage({
        email: form.email.trim(),
        firstName: textOrNull(form.firstName),
        lastName: textOrNull(form.lastName),
        password: form.password.length > 0 ? form.password : null,
        status: form.status,
        title: textOrNull(form.title),
        location: textOrNull(form.location),
        description: textOrNull(form.description),
        tags: tagList(form.tags)
      })
      close()
    } finally {
      setChecking(false)
    }
  }

  return (
    <form className="drawer-form" noValidate onSubmit={(event) => void submit(event)}>
      <DrawerHeader title="Create user" description="The user becomes a member of this role when you save the role." />
      <DrawerBody>
        <div ref={formRef} className="drawer-fields">
          <UserFields idPrefix={ID} values={form} errors={errors} onChange={change} onEmailBlur={() => void validateEmailOnBlur()}>
            <div className="drawer-field">
              <label htmlFor={`${ID}-password`}>Password</label>
              <p id={`${ID}-password-policy`} className="drawer-hint">
                {policyText ? `Password policy: ${policyText}` : 'Loading the password policy…'} Leave empty to let the user set one from an
                invite.
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
              </div>
              <div className="drawer-password-actions">
                <button type="button" className="drawer-button" onClick={() => void fillGeneratedPassword()}>
                  Generate password
                </button>
                {form.password.length > 0 ? (
                  <button type="button" className="drawer-button" aria-label="Copy password" onClick={() => void copyPassword()}>
                    Copy
                  </button>
                ) : null}
              </div>
              <FieldError id={`${ID}-password`} error={errors.password} />
            </div>

            <StatusField idPrefix={ID} value={form.status} error={errors.status} onChange={(status) => change('status', status)} />
          </UserFields>
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
