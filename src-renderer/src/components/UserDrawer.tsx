import type { ActivityEntry, ApiError, CallInput, InviteLink, RoleSummary, User, UserStatus } from '../../../src-main/ipc/contract'
import { LIMITS } from '../../../src-main/core/model'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { api } from '../api'
import { copyToClipboard } from '../clipboard'
import { describeError } from '../errors'
import { displayName, formatDate, inviteExpiry } from '../format'
import { navigate } from '../router'
import { notify } from '../stores/notifications'
import { ActivityItem } from './ActivityList'
import { Drawer, DrawerBody, DrawerFooter, DrawerHeader, FieldError, fieldProps, useDrawerClose, useDrawerDirty } from './Drawer'
import { StatusBadge } from './StatusBadge'
import { StatusField, tagList, textOrNull, UserFields } from './UserFields'

export interface UserDrawerProps {
  /** The user to show; null keeps the drawer closed. */
  userId: string | null
  onOpenChange(open: boolean): void
  /** After any write: the user as it is now. */
  onChanged(user: User): void
}

interface Form {
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

type FieldName = Exclude<keyof Form, 'removePassword'>
const FIELD_NAMES: FieldName[] = [
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
const fieldNamed = (name: string): FieldName | undefined => FIELD_NAMES.find((field) => field === name)

const PUBLIC = ''
const ID = 'edit-user'
const HISTORY_PAGE = 10

const formOf = (user: User): Form => ({
  email: user.email,
  firstName: user.firstName ?? '',
  lastName: user.lastName ?? '',
  password: '',
  removePassword: false,
  status: user.status,
  roleId: user.roleId ?? PUBLIC,
  title: user.title ?? '',
  location: user.location ?? '',
  description: user.description ?? '',
  tags: user.tags.join(', ')
})

type UserPatch = CallInput<'updateUser'>['patch']

/** Only what the admin changed, so an untouched field is never rewritten. */
function patchOf(user: User, form: Form): UserPatch {
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

export function UserDrawer({ userId, onOpenChange, onChanged }: UserDrawerProps) {
  return (
    <Drawer open={userId !== null} onOpenChange={onOpenChange} className="user-drawer">
      {userId ? <UserEditor key={userId} userId={userId} onChanged={onChanged} /> : null}
    </Drawer>
  )
}

function UserEditor({ userId, onChanged }: { userId: string; onChanged(user: User): void }) {
  const { requestClose, close } = useDrawerClose()
  const [user, setUser] = useState<User | null>(null)
  const [loadError, setLoadError] = useState<ApiError | null>(null)
  const [form, setForm] = useState<Form | null>(null)
  const [roles, setRoles] = useState<RoleSummary[]>([])
  const [policyText, setPolicyText] = useState<string | null>(null)
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({})
  const [banner, setBanner] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [link, setLink] = useState<InviteLink | null>(null)
  const [inviteBusy, setInviteBusy] = useState(false)
  const [historyVersion, setHistoryVersion] = useState(0)
  const formRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    let current = true
    void Promise.all([api.getUser({ id: userId }), api.listRoles({}), api.getSettings()]).then(([found, roleList, settings]) => {
      if (!current) return
      if (!found.ok) {
        setLoadError(found.error)
        return
      }
      setUser(found.value)
      setForm(formOf(found.value))
      if (roleList.ok) setRoles(roleList.value.roles)
      if (settings.ok) setPolicyText(settings.value.passwordPolicyText)
    })
    return () => {
      current = false
    }
  }, [userId])

  const invited = user?.status === 'invited'
  useEffect(() => {
    if (!invited) return
    let current = true
    void api.getInviteLink({ userId }).then((result) => {
      if (current && result.ok) setLink(result.value)
    })
    return () => {
      current = false
    }
  }, [userId, invited, user?.inviteExpiresAt])

  const patch = user && form ? patchOf(user, form) : {}
  const dirty = Object.keys(patch).length > 0
  useDrawerDirty(dirty)

  const change = <K extends keyof Form>(field: K, value: Form[K]): void => {
    setForm((previous) => (previous ? { ...previous, [field]: value } : previous))
    const named = fieldNamed(field)
    if (named && errors[named]) setErrors((previous) => ({ ...previous, [named]: undefined }))
  }

  const applied = (next: User): void => {
    setUser(next)
    setForm(formOf(next))
    setHistoryVersion((version) => version + 1)
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
        const found: Partial<Record<FieldName, string>> = {}
        for (const [path, message] of Object.entries(result.error.fields ?? {})) {
          const field = fieldNamed(path.replace(/^patch\./, '').split('.')[0] ?? '')
          if (field) found[field] = message
        }
        setErrors(found)
        const first = Object.keys(found)[0]
        if (first) formRef.current?.querySelector<HTMLElement>(`#${ID}-${first}`)?.focus()
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

  const resend = async (): Promise<void> => {
    if (!user) return
    setInviteBusy(true)
    try {
      const result = await api.resendInvite({ userId: user.id })
      if (!result.ok) {
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setLink(result.value)
      const fresh = await api.getUser({ id: user.id })
      if (fresh.ok) applied(fresh.value)
      notify({ tone: 'success', message: `Sent a new invite to ${user.email}; the earlier link no longer works.` })
    } finally {
      setInviteBusy(false)
    }
  }

  const revoke = async (): Promise<void> => {
    if (!user) return
    setInviteBusy(true)
    try {
      const result = await api.revokeInvite({ userId: user.id })
      if (!result.ok) {
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setLink(null)
      applied(result.value)
      notify({ tone: 'success', message: `Revoked the invite of ${user.email}; they are now a draft.` })
    } finally {
      setInviteBusy(false)
    }
  }

  const copyLink = async (): Promise<void> => {
    if (!user) return
    const current = link ?? (await api.getInviteLink({ userId: user.id }).then((result) => (result.ok ? result.value : null)))
    if (!current) {
      notify({ tone: 'error', message: 'This user has no invite link.' })
      return
    }
    setLink(current)
    const copied = await copyToClipboard(current.inviteLink)
    notify(
      copied
        ? { tone: 'success', message: `Copied the invite link of ${user.email}.` }
        : { tone: 'error', message: 'The invite link could not be copied to the clipboard.' }
    )
  }

  if (loadError) {
    return (
      <>
        <DrawerHeader title="Edit user" description={describeError(loadError)} />
        <DrawerBody>
          <p className="muted">This user cannot be shown.</p>
        </DrawerBody>
      </>
    )
  }

  if (!user || !form) {
    return (
      <>
        <DrawerHeader title="Edit user" description="Loading…" />
        <DrawerBody>
          <p className="muted">Loading the user…</p>
        </DrawerBody>
      </>
    )
  }

  const expiry = user.inviteExpiresAt ? inviteExpiry(user.inviteExpiresAt) : null

  return (
    <form className="drawer-form" noValidate onSubmit={(event) => void submit(event)}>
      <DrawerHeader
        title="Edit user"
        description={
          <>
            {displayName(user)} · {user.roleName ?? 'Public'} · created {formatDate(user.createdAt)}
          </>
        }
      />
      <DrawerBody>
        <div ref={formRef} className="drawer-fields">
          {banner ? (
            <div className="drawer-callout drawer-callout--danger" role="alert">
              {banner}
            </div>
          ) : null}

          {invited ? (
            <section className="invite-panel" aria-label="Invite">
              <div className="invite-panel-head">
                <StatusBadge status="invited" />
                <span className={expiry?.expired ? 'invite-panel-expiry expired' : 'invite-panel-expiry'}>{expiry?.text}</span>
              </div>
              <div className="drawer-field">
                <label htmlFor={`${ID}-link`}>Invite link</label>
                <input id={`${ID}-link`} type="text" readOnly value={link?.inviteLink ?? ''} className="mono" spellCheck={false} />
              </div>
              <div className="invite-panel-actions">
                <button type="button" className="drawer-button drawer-button--small" disabled={inviteBusy} onClick={() => void copyLink()}>
                  Copy invite link
                </button>
                <button type="button" className="drawer-button drawer-button--small" disabled={inviteBusy} onClick={() => void resend()}>
                  Resend invite
                </button>
                <button
                  type="button"
                  className="drawer-button drawer-button--small drawer-button--danger"
                  disabled={inviteBusy}
                  onClick={() => void revoke()}
                >
                  Revoke invite
                </button>
              </div>
            </section>
          ) : null}

          <UserFields idPrefix={ID} values={form} errors={errors} onChange={change}>
            <div className="drawer-field-row">
              <StatusField idPrefix={ID} value={form.status} error={errors.status} onChange={(status) => change('status', status)} />
              <div className="drawer-field">
                <label htmlFor={`${ID}-roleId`}>Role</label>
                <select
                  {...fieldProps(`${ID}-roleId`, errors.roleId)}
                  value={form.roleId}
                  onChange={(event) => change('roleId', event.target.value)}
                >
                  <option value={PUBLIC}>Public (no role)</option>
                  {user.roleId && !roles.some((role) => role.id === user.roleId) ? (
                    <option value={user.roleId}>{user.roleName ?? 'Current role'}</option>
                  ) : null}
                  {roles.map((role) => (
                    <option key={role.id} value={role.id}>
                      {role.name}
                    </option>
                  ))}
                </select>
                <FieldError id={`${ID}-roleId`} error={errors.roleId} />
              </div>
            </div>

            <div className="drawer-field">
              <label htmlFor={`${ID}-password`}>New password</label>
              <p id={`${ID}-password-policy`} className="drawer-hint">
                {policyText ? `Password policy: ${policyText}` : 'Loading the password policy…'}{' '}
                {user.hasPassword ? 'Leave empty to keep the current password.' : 'This user has no password yet.'}
              </p>
              <input
                {...fieldProps(`${ID}-password`, errors.password, `${ID}-password-policy`)}
                type="password"
                value={form.password}
                maxLength={LIMITS.password}
                autoComplete="new-password"
                disabled={form.removePassword}
                onChange={(event) => change('password', event.target.value)}
              />
              <FieldError id={`${ID}-password`} error={errors.password} />
              {user.hasPassword ? (
                <label className="drawer-check">
                  <input
                    type="checkbox"
                    checked={form.removePassword}
                    onChange={(event) => {
                      change('removePassword', event.target.checked)
                      if (event.target.checked) change('password', '')
                    }}
                  />
                  Remove password
                </label>
              ) : null}
            </div>
          </UserFields>

          <UserHistory userId={user.id} version={historyVersion} />
        </div>
      </DrawerBody>
      <DrawerFooter>
        <button type="button" className="drawer-button" onClick={requestClose}>
          Cancel
        </button>
        <button type="submit" className="drawer-button drawer-button--primary" disabled={saving} aria-busy={saving || undefined}>
          Save changes
        </button>
      </DrawerFooter>
    </form>
  )
}

/** The user's own history, newest first; the Activity page holds the rest. */
function UserHistory({ userId, version }: { userId: string; version: number }) {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null)
  const [more, setMore] = useState(false)
  const [expanded, setExpanded] = useState<number | null>(null)

  useEffect(() => {
    let current = true
    void api.listActivity({ recordId: userId, limit: HISTORY_PAGE }).then((result) => {
      if (!current) return
      setEntries(result.ok ? result.value.rows : [])
      setMore(result.ok && result.value.nextCursor !== null)
    })
    return () => {
      current = false
    }
  }, [userId, version])

  return (
    <section className="user-history" aria-label="History">
      <h3 className="user-history-title">History</h3>
      {entries === null ? <p className="muted">Loading the history…</p> : null}
      {entries?.length === 0 ? <p className="muted">No changes recorded yet.</p> : null}
      {entries && entries.length > 0 ? (
        <ul className="user-history-list" aria-label="Changes to this user">
          {entries.map((entry) => (
            <li key={entry.id}>
              <ActivityItem
                entry={entry}
                expanded={expanded === entry.id}
                onToggle={() => setExpanded((open) => (open === entry.id ? null : entry.id))}
              />
            </li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="drawer-button drawer-button--small" onClick={() => navigate({ page: 'activity', recordId: userId })}>
        {more ? 'Show the full history in Activity' : 'Open in Activity'}
      </button>
    </section>
  )
}
