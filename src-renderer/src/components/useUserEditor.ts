import type { ApiError, CallInput, RoleSummary, User, UserStatus } from '../../../src-main/ipc/contract'
import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react'
import { api } from '../api'
import { describeError } from '../errors'
import { displayName } from '../format'
import { notify } from '../state/notifications'
import { useRoles } from '../state/roles'
import { useSettings } from '../state/settings'
import { tagList, textOrNull } from './UserFields'

/** The Edit user form as the admin types it. */
export interface UserForm {
  email: string
  firstName: string
  lastName: string
  password: string
  removePassword: boolean
  status: UserStatus
  roleId: string
  title: string
  location: string
  description: string
  tags: string
}

export type UserFieldName = Exclude<keyof UserForm, 'removePassword'>
const FIELD_NAMES: UserFieldName[] = [
  'email',
  'firstName',
  'lastName',
  'password',
  'status',
  'roleId',
  'title',
  'location',
  'description',
  'tags'
]
const fieldNamed = (name: string): UserFieldName | undefined => FIELD_NAMES.find((field) => field === name)

/** The role select's value for Public (no role). */
export const PUBLIC_ROLE = ''

const formOf = (user: User): UserForm => ({
  email: user.email,
  firstName: user.firstName ?? '',
  lastName: user.lastName ?? '',
  password: '',
  removePassword: false,
  status: user.status,
  roleId: user.roleId ?? PUBLIC_ROLE,
  title: user.title ?? '',
  location: user.location ?? '',
  description: user.description ?? '',
  tags: user.tags.join(', ')
})

type UserPatch = CallInput<'updateUser'>['patch']

/** Only what the admin changed, so an untouched field is never rewritten. */
function patchOf(user: User, form: UserForm): UserPatch {
  const patch: UserPatch = {}
  if (form.email.trim() !== user.email) patch.email = form.email.trim()
  if (textOrNull(form.firstName) !== user.firstName) patch.firstName = textOrNull(form.firstName)
  if (textOrNull(form.lastName) !== user.lastName) patch.lastName = textOrNull(form.lastName)
  if (form.password.length > 0) patch.password = form.password
  else if (form.removePassword) patch.password = null
  if (form.status !== user.status) patch.status = form.status
  if ((form.roleId || null) !== user.roleId) patch.roleId = form.roleId || null
  if (textOrNull(form.title) !== user.title) patch.title = textOrNull(form.title)
  if (textOrNull(form.location) !== user.location) patch.location = textOrNull(form.location)
  if (textOrNull(form.description) !== user.description) patch.description = textOrNull(form.description)
  const tags = tagList(form.tags)
  if (tags.join('\u0000') !== user.tags.join('\u0000')) patch.tags = tags
  return patch
}

export interface UserEditor {
  user: User | null
  loadError: ApiError | null
  form: UserForm | null
  roles: RoleSummary[]
  policyText: string | null
  errors: Partial<Record<UserFieldName, string>>
  /** A problem that belongs to no one field (the last administrator, say). */
  banner: string | null
  saving: boolean
  dirty: boolean
  /** Bumped after every write, so the history reloads. */
  version: number
  fieldsRef: RefObject<HTMLDivElement | null>
  change<K extends keyof UserForm>(field: K, value: UserForm[K]): void
  /** The user as it is after a write made elsewhere (resend, revoke). */
  applied(next: User): void
  submit(event: FormEvent<HTMLFormElement>): Promise<void>
}

/**
 * The Edit user drawer's state: the user, the form, the patch of what changed, and the save,
 * with errors placed next to their fields. `close` is called after a save (or with nothing to save).
 */
export function useUserEditor(userId: string, idPrefix: string, onChanged: (user: User) => void, close: () => void): UserEditor {
  const [user, setUser] = useState<User | null>(null)
  const [loadError, setLoadError] = useState<ApiError | null>(null)
  const [form, setForm] = useState<UserForm | null>(null)
  const roles = useRoles((state) => state.overview?.roles ?? NO_ROLES)
  const policyText = useSettings((state) => state.settings?.passwordPolicyText ?? null)
  const [errors, setErrors] = useState<Partial<Record<UserFieldName, string>>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [version, setVersion] = useState(0)
  const fieldsRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let current = true
    void useRoles.getState().load()
    void useSettings.getState().load()
    void api.getUser({ id: userId }).then((found) => {
      if (!current) return
      if (!found.ok) {
        setLoadError(found.error)
        return
      }
      setUser(found.value)
      setForm(formOf(found.value))
    })
    return () => {
      current = false
    }
  }, [userId])

  const patch = user && form ? patchOf(user, form) : {}
  const dirty = Object.keys(patch).length > 0

  const change = <K extends keyof UserForm>(field: K, value: UserForm[K]): void => {
    setForm((previous) => (previous ? { ...previous, [field]: value } : previous))
    const named = fieldNamed(field)
    if (named && errors[named]) setErrors((previous) => ({ ...previous, [named]: undefined }))
  }

  const applied = (next: User): void => {
    setUser(next)
    setForm(formOf(next))
    setVersion((value) => value + 1)
    onChanged(next)
  }

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault()
    if (!user || !form || saving) return
    if (!dirty) {
      close()
      return
    }
    setSaving(true)
    setBanner(null)
    try {
      const result = await api.updateUser({ id: user.id, patch })
      if (!result.ok) {
        const found: Partial<Record<UserFieldName, string>> = {}
        for (const [path, message] of Object.entries(result.error.fields ?? {})) {
          const field = fieldNamed(path.replace(/^patch\./, '').split('.')[0] ?? '')
          if (field) found[field] = message
        }
        setErrors(found)
        const first = Object.keys(found)[0]
        if (first) fieldsRef.current?.querySelector<HTMLElement>(`#${idPrefix}-${first}`)?.focus()
        setBanner(result.error.code === 'last_admin' || !first ? describeError(result.error) : null)
        return
      }
      applied(result.value)
      notify({ tone: 'success', message: `Saved ${displayName(result.value)}.` })
      close()
    } finally {
      setSaving(false)
    }
  }

  return { user, loadError, form, roles, policyText, errors, banner, saving, dirty, version, fieldsRef, change, applied, submit }
}

const NO_ROLES: RoleSummary[] = []
