import { useEffect, useState } from 'react'
import type { InviteVerification } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { Icon } from './Icon'
import { AlertBanner } from './AlertBanner'

/** The public key invite links are signed with, for any server that checks them, and the rule such a server applies. */
export function InviteVerificationSection() {
  const [verification, setVerification] = useState<InviteVerification | null>(null)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    void api.getInviteVerification().then((result) => {
      if (result.ok) setVerification(result.value)
      else setProblem(describeError(result.error))
    })
  }, [])

  const exportKey = async (): Promise<void> => {
    setBusy(true)
    setProblem(null)
    try {
      const result = await api.exportVerificationKey()
      if (result.ok) notify({ tone: 'success', message: `Saved the verification key to ${result.value.path}.` })
      else if (result.error.code !== 'cancelled') setProblem(describeError(result.error))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="settings-verification-title">
      <h2 id="settings-verification-title" className="card-title">
        Invite verification
      </h2>
      <p className="field-hint">
        Invite links carry a token signed by this directory. The server your people sign in to can check them with the verification key (a
        JWKS file): it proves a link came from here, and cannot be used to make new ones.
      </p>
      <dl className="key-facts">
        <dt>Issuer</dt>
        <dd className="mono">{verification?.issuer ?? '…'}</dd>
        <dt>Key id</dt>
        <dd className="mono">{verification?.keyId ?? '…'}</dd>
      </dl>
      <p className="callout" id="settings-verification-rule">
        <Icon name="rule" />
        <span>
          Only the latest invite counts: a server accepts a token only when its <code>jti</code> is the user’s current invite in the latest
          hand-off file. Re-inviting or revoking gives a new <code>jti</code>, so every earlier link stops working.
        </span>
      </p>
      {problem ? <AlertBanner message={problem} /> : null}
      <div className="form-actions form-actions--start">
        <button
          type="button"
          className="button"
          disabled={busy}
          aria-busy={busy || undefined}
          aria-describedby="settings-verification-rule"
          onClick={() => void exportKey()}
        >
          <Icon name="key" />
          Export verification key
        </button>
      </div>
    </section>
  )
}
