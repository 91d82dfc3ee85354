import { useEffect, useState, type FormEvent } from 'react'
import type { DirectusTargetInfo } from '../../../src-main/ipc/contract'
import { directusUrlProblem } from '../../../src-main/core/rules'
import { api } from '../api'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { Icon } from './Icon'
import { AlertBanner } from './AlertBanner'

/**
 * The Directus server hand-off links are made for: its public URL and its SECRET. The SECRET goes
 * to the main process and never comes back; the page only learns whether one is stored.
 */
export function DirectusTargetSection() {
  const [target, setTarget] = useState<DirectusTargetInfo | null>(null)
  const [publicUrl, setPublicUrl] = useState('')
  const [secret, setSecret] = useState('')
  const [busy, setBusy] = useState<'save' | 'clear' | null>(null)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [problem, setProblem] = useState<string | null>(null)

  useEffect(() => {
    void api.getDirectusTarget().then((result) => {
      if (!result.ok) {
        setProblem(describeError(result.error))
        return
      }
      setTarget(result.value)
      setPublicUrl(result.value.publicUrl ?? '')
    })
  }, [])

  const urlProblem = publicUrl.trim() === '' && !target?.publicUrl ? null : (directusUrlProblem(publicUrl) ?? errors.publicUrl ?? null)
  const secretProblem = errors.secret ?? null
  const changed = target !== null && (publicUrl.trim() !== (target.publicUrl ?? '') || secret !== '')
  const canSave = changed && publicUrl.trim() !== '' && urlProblem === null && (secret !== '' || target.secretStored)

  const save = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault()
    if (!canSave || busy) return
    setBusy('save')
    setProblem(null)
    try {
      const result = await api.saveDirectusTarget({ publicUrl: publicUrl.trim(), ...(secret === '' ? {} : { secret }) })
      if (!result.ok) {
        setErrors(result.error.fields ?? {})
        setProblem(describeError(result.error))
        return
      }
      setTarget(result.value)
      setPublicUrl(result.value.publicUrl ?? '')
      setSecret('')
      setErrors({})
      notify({ tone: 'success', message: 'Directus target saved.' })
    } finally {
      setBusy(null)
    }
  }

  const clear = async (): Promise<void> => {
    setBusy('clear')
    setProblem(null)
    try {
      const result = await api.clearDirectusTarget()
      if (!result.ok) {
        setProblem(describeError(result.error))
        return
      }
      setTarget(result.value)
      setPublicUrl('')
      setSecret('')
      setErrors({})
      notify({ tone: 'success', message: 'Directus target cleared: its URL and SECRET are forgotten.' })
    } finally {
      setBusy(null)
    }
  }

  return (
    <form className="card settings-card" noValidate aria-labelledby="settings-directus-title" onSubmit={(event) => void save(event)}>
      <h2 id="settings-directus-title" className="card-title">
        Directus target
      </h2>
      <p className="field-hint">
        With a Directus server set here, Directus exports carry invite links in Directus’s own format, which its accept page takes.
      </p>
      <div className="field">
        <label className="field-label" htmlFor="settings-directus-url">
          Directus public URL
        </label>
        <input
          id="settings-directus-url"
          className="input mono"
          type="url"
          spellCheck={false}
          autoComplete="off"
          placeholder="https://directus.example.org"
          value={publicUrl}
          aria-invalid={urlProblem ? true : undefined}
          aria-describedby={urlProblem ? 'settings-directus-url-error' : undefined}
          onChange={(event) => {
            setPublicUrl(event.target.value)
            setErrors({})
          }}
        />
        {urlProblem ? (
          <p id="settings-directus-url-error" className="field-error">
            {urlProblem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label className="field-label" htmlFor="settings-directus-secret">
          Directus SECRET
        </label>
        <p id="settings-directus-secret-warning" className="callout callout--warning">
          <Icon name="warning" />
          <span>
            The SECRET is the Directus server’s master key: whoever holds it can sign admin sessions on that server. Rolekeeper keeps it on
            this computer, outside the database, protected by the operating system where it can be, and never writes it to a log or an
            export.
          </span>
        </p>
        <input
          id="settings-directus-secret"
          className="input mono"
          type="password"
          spellCheck={false}
          autoComplete="off"
          placeholder={target?.secretStored ? 'A SECRET is stored; type a new one to replace it' : 'The value of SECRET on the server'}
          value={secret}
          aria-invalid={secretProblem ? true : undefined}
          aria-describedby={['settings-directus-secret-warning', secretProblem ? 'settings-directus-secret-error' : null]
            .filter(Boolean)
            .join(' ')}
          onChange={(event) => {
            setSecret(event.target.value)
            setErrors({})
          }}
        />
        {secretProblem ? (
          <p id="settings-directus-secret-error" className="field-error">
            {secretProblem}
          </p>
        ) : null}
        <p className="field-hint" role="status">
          {target?.secretStored ? 'A SECRET is stored.' : 'No SECRET is stored.'}
        </p>
      </div>
      {problem ? <AlertBanner message={problem} /> : null}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy !== null || !target?.secretStored}
          aria-busy={busy === 'clear' || undefined}
          onClick={() => void clear()}
        >
          Clear Directus target
        </button>
        <button
          type="submit"
          className="button button--primary"
          disabled={busy !== null || !canSave}
          aria-busy={busy === 'save' || undefined}
        >
          Save Directus target
        </button>
      </div>
    </form>
  )
}
