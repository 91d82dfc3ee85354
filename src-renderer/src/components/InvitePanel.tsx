import type { InviteLink, User } from '../../../src-main/ipc/contract'
import { useEffect, useState } from 'react'
import { api } from '../api'
import { copyToClipboard } from '../clipboard'
import { describeError } from '../errors'
import { inviteExpiry } from '../format'
import { notify } from '../state/notifications'
import { StatusBadge } from './StatusBadge'

export interface InvitePanelProps {
  /** An invited user. */
  user: User
  idPrefix: string
  /** After a resend or revoke: the user as it is now. */
  onChanged(user: User): void
}

/** An invited user's invite in the Edit user drawer: the link, Copy, Resend and Revoke. */
export function InvitePanel({ user, idPrefix, onChanged }: InvitePanelProps) {
  const [link, setLink] = useState<InviteLink | null>(null)
  const [busy, setBusy] = useState(false)

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
      notify({ tone: 'success', message: `Sent a new invite to ${user.email}; the earlier link no longer works.` })
    } finally {
      setBusy(false)
    }
  }

  const revoke = async (): Promise<void> => {
    setBusy(true)
    try {
      const result = await api.revokeInvite({ userId: user.id })
      if (!result.ok) {
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setLink(null)
      onChanged(result.value)
      notify({ tone: 'success', message: `Revoked the invite of ${user.email}; they are now a draft.` })
    } finally {
      setBusy(false)
    }
  }

  const copyLink = async (): Promise<void> => {
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

  const expiry = user.inviteExpiresAt ? inviteExpiry(user.inviteExpiresAt) : null

  return (
    <section className="invite-panel" aria-label="Invite">
      <div className="invite-panel-head">
        <StatusBadge status="invited" />
        <span className={expiry?.expired ? 'invite-panel-expiry expired' : 'invite-panel-expiry'}>{expiry?.text}</span>
      </div>
      <div className="drawer-field">
        <label htmlFor={`${idPrefix}-link`}>Invite link</label>
        <input id={`${idPrefix}-link`} type="text" readOnly value={link?.inviteLink ?? ''} className="mono" spellCheck={false} />
      </div>
      <div className="invite-panel-actions">
        <button type="button" className="drawer-button drawer-button--small" disabled={busy} onClick={() => void copyLink()}>
          Copy invite link
        </button>
        <button type="button" className="drawer-button drawer-button--small" disabled={busy} onClick={() => void resend()}>
          Resend invite
        </button>
        <button
          type="button"
          className="drawer-button drawer-button--small drawer-button--danger"
          disabled={busy}
          onClick={() => void revoke()}
        >
          Revoke invite
        </button>
      </div>
    </section>
  )
}
