import { useEffect, useState, type FormEvent } from 'react'
import { LIMITS } from '../../../src-main/core/model'
import { api } from '../api'
import { Icon } from '../components/Icon'
import { useSettings } from '../state/settings'
import '../styles/directory.css'
import { AlertBanner } from '../components/AlertBanner'

/** Every failure reads the same, so the screen never tells whether an address or token exists. */
const INVALID = 'This invite is no longer valid'

type Outcome = { kind: 'accepted' } | { kind: 'invalid' } | { kind: 'policy'; message: string } | null

/**
 * Accepting an invite on this machine: for the administrator who sets a user up in person, and
 * to check that an exported link works. The user becomes active and the token stops working.
 */
export function AcceptInvitePage() {
  const settings = useSettings((state) => state.settings)
  const [token, setToken] = useState('')
  const [password, setPassword] = useState('')
  const [firstName, setFirstName] = useState('')
  const [lastName, setLastName] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>(null)
  const [missing, setMissing] = useState<'token' | 'password' | null>(null)

  useEffect(() => {
    void useSettings.getState().load()
  }, [])

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault()
    if (busy) return
    if (token.trim().length === 0) {
      setMissing('token')
      return
    }
    if (password.length === 0) {
      setMissing('password')
      return
    }
    setMissing(null)
    setBusy(true)
    try {
      const result = await api.acceptInvite({
        token: token.trim(),
        password,
        firstName: firstName.trim() || null,
        lastName: lastName.trim() || null
      })
      if (result.ok) {
        setOutcome({ kind: 'accepted' })
        setToken('')
        setPassword('')
        setFirstName('')
        setLastName('')
      } else if (result.error.code === 'password_policy') {
        setOutcome({ kind: 'policy', message: result.error.fields?.password ?? result.error.message })
      } else {
        setOutcome({ kind: 'invalid' })
      }
    } finally {
      setBusy(false)
    }
  }

  const policy = settings?.passwordPolicyText ?? null

  return (
    <div className="page page--narrow">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Accept invite</h1>
          <p className="page-subtitle">Paste the invite link or token, choose a password, and the account becomes active.</p>
        </div>
      </header>

      <form className="card form-card" noValidate onSubmit={(event) => void submit(event)}>
        {outcome?.kind === 'accepted' ? (
          <div className="banner banner--success" role="status">
            <Icon name="check_circle" />
            <span>Invite accepted. The account is now active and the invite link no longer works.</span>
          </div>
        ) : null}
        {outcome?.kind === 'invalid' ? <AlertBanner message={INVALID} /> : null}

        <div className="field">
          <label className="field-label" htmlFor="accept-token">
            Invite link or token
          </label>
          <textarea
            id="accept-token"
            className="input textarea mono"
            rows={3}
            spellCheck={false}
            autoComplete="off"
            value={token}
            aria-invalid={missing === 'token' || undefined}
            aria-describedby={missing === 'token' ? 'accept-token-error' : undefined}
            onChange={(event) => {
              setToken(event.target.value)
              setOutcome(null)
            }}
          />
          {missing === 'token' ? (
            <p id="accept-token-error" className="field-error">
              Paste the invite link or its token.
            </p>
          ) : null}
        </div>

        <div className="field">
          <label className="field-label" htmlFor="accept-password">
            Password
          </label>
          <p id="accept-password-policy" className="field-hint">
            {policy ? `Password policy: ${policy}` : 'Loading the password policy…'}
          </p>
          <input
            id="accept-password"
            className="input"
            type="password"
            autoComplete="new-password"
            maxLength={LIMITS.password}
            value={password}
            aria-invalid={missing === 'password' || outcome?.kind === 'policy' || undefined}
            aria-describedby={[
              'accept-password-policy',
              missing === 'password' || outcome?.kind === 'policy' ? 'accept-password-error' : null
            ]
              .filter(Boolean)
              .join(' ')}
            onChange={(event) => {
              setPassword(event.target.value)
              if (outcome?.kind === 'policy') setOutcome(null)
            }}
          />
          {missing === 'password' || outcome?.kind === 'policy' ? (
            <p id="accept-password-error" className="field-error" role="alert">
              {outcome?.kind === 'policy' ? outcome.message : 'Choose a password.'}
            </p>
          ) : null}
        </div>

        <div className="field-row">
          <div className="field">
            <label className="field-label" htmlFor="accept-first-name">
              First name <span className="muted">(optional)</span>
            </label>
            <input
              id="accept-first-name"
              className="input"
              maxLength={LIMITS.personName}
              autoComplete="given-name"
              value={firstName}
              onChange={(event) => setFirstName(event.target.value)}
            />
          </div>
          <div className="field">
            <label className="field-label" htmlFor="accept-last-name">
              Last name <span className="muted">(optional)</span>
            </label>
            <input
              id="accept-last-name"
              className="input"
              maxLength={LIMITS.personName}
              autoComplete="family-name"
              value={lastName}
              onChange={(event) => setLastName(event.target.value)}
            />
          </div>
        </div>

        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            <Icon name="how_to_reg" />
            Accept invite
          </button>
        </div>
      </form>
    </div>
  )
}
