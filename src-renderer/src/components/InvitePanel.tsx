import type { InviteLink, User } from '../../../src-main/ipc/contract'
import { useEffect, useState } from 'react'
import { api } from '../api'
import { copyToClipboard } from '../clipboard'
import { describeError } from '../errors'
import { inviteExpiry } from '../format'
import { notify } from '../state/notifications'
import { useSettings } from '../state/settings'
import { ConfirmDialog } from './ConfirmDialog'
import { StatusBadge } from './StatusBadge'

export interface InvitePanelProps {
  /** An invited user. */
  user: User
  idPrefix: string
  /** After a resend or revoke: the user as it is now. */
  onChanged(user: User): void
}

/**
 * An invited user's invite in the Edit user drawer: the link (or, with no invite URL template,
 * the bare token, named as such), Copy, Resend and Revoke. Revoking kills every link already
 * sent and cannot be taken back, so it asks first.
 */
export function InvitePanel({ user, idPrefix, onChanged }: InvitePanelProps) {
  const [link, setLink] = useState<InviteLink | null>(null)
  const [busy, setBusy] = useState(false)
  const [confirmingRevoke, setConfirmingRevoke] = useState(false)
  const template = useSettings((state) => state.settings?.inviteUrlTemplate)
  // What the export and the copy carry: a link built from the template, or the token alone.
  const bareToken = link ? link.inviteLink === link.token : template === null
  const what = bareToken ? 'invite token' : 'invite link'

  useEffect(() => {
    let current = true
    void api.getInviteLink({ userId: user.id }).then((result) => {
      if (current && result.ok) setLink(result.value)
    })
    return () => {
      current = false
    }
  }, [user.id, user.inviteExpiresAt])

  const resend = async (): Promise<void> => {
    setBusy(true)
    try {
      const result = await api.resendInvite({ userId: user.id })
      if (!result.ok) {
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setLink(result.value)
      const fresh = await api.getUser({ id: user.id })
      if (fresh.ok) onChanged(fresh.value)
      notify({ tone: 'success', message: `Sent a new invite to ${user.email}; the earlier ${what} no longer works.` })
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (): Promise<void> => {
    setBusy(true)
    try {
      const result = await api.revokeInvite({ userId: user.id })
      setConfirmingRevoke(false)
      if (!result.ok) {
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setLink(null)
      // This panel goes away with the invite; the Status field, now Draft, is where focus can stay.
      document.getElementById(`${idPrefix}-status`)?.focus()
      onChanged(result.value)
      notify({ tone: 'success', message: `Revoked the invite of ${user.email}; they are now a draft.` })
    } finally {
      setBusy(false)
    }
  }

  const copyLink = async (): Promise<void> => {
    const current = link ?? (await api.getInviteLink({ userId: user.id }).then((result) => (result.ok ? result.value : null)))
    if (!current) {
      notify({ tone: 'error', message: `This user has no ${what}.` })
      return
    }
    setLink(current)
    const copied = await copyToClipboard(current.inviteLink)
    notify(
      copied
        ? { tone: 'success', message: `Copied the ${what} of ${user.email}.` }
        : { tone: 'error', message: `The ${what} could not be copied to the clipboard.` }
    )
  }

  const expiry = user.inviteExpiresAt ? inviteExpiry(user.inviteExpiresAt) : null
  const label = bareToken ? 'Invite token' : 'Invite link'

  return (
    <section className={expiry?.expired ? 'invite-panel is-expired' : 'invite-panel'} aria-label="Invite">
      <div className="invite-panel-head">
        <StatusBadge status="invited" expired={expiry?.expired ?? false} />
        <span className={expiry?.expired ? 'invite-panel-expiry expired' : 'invite-panel-expiry'}>
          {expiry?.text}
          {expiry?.expired ? `: the ${what} no longer works. Resend the invite to send a fresh one.` : null}
        </span>
      </div>
      <div className="drawer-field">
        <label htmlFor={`${idPrefix}-link`}>{label}</label>
        {bareToken ? (
          <p id={`${idPrefix}-link-hint`} className="drawer-hint">
            No invite URL template is set (Settings), so this is the token alone: the person pastes it into Accept invite.
          </p>
        ) : null}
        <input
          id={`${idPrefix}-link`}
          type="text"
          readOnly
          value={link?.inviteLink ?? ''}
          className="mono"
          spellCheck={false}
          aria-describedby={bareToken ? `${idPrefix}-link-hint` : undefined}
        />
      </div>
      <div className="invite-panel-actions">
        <button type="button" className="drawer-button drawer-button--small" disabled={busy} onClick={() => void copyLink()}>
          Copy {what}
        </button>
        <button type="button" className="drawer-button drawer-button--small" disabled={busy} onClick={() => void resend()}>
          Resend invite
        </button>
        <button
          type="button"
          className="drawer-button drawer-button--small drawer-button--danger"
          disabled={busy}
          onClick={() => setConfirmingRevoke(true)}
        >
          Revoke invite
        </button>
      </div>
      <ConfirmDialog
        open={confirmingRevoke}
        title="Revoke this invite?"
        description={`The ${what} sent to ${user.email} stops working at once and they become a draft. Inviting them again sends a new one.`}
        confirmLabel="Revoke invite"
        destructive
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setConfirmingRevoke(false)}
      />
    </section>
  )
}
