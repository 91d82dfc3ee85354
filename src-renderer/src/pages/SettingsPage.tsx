import { useEffect, useState, type FormEvent } from 'react'
import type { AppInfo, PasswordPolicyKind, Settings, Theme } from '../../../src-main/ipc/contract'
import { PASSWORD_POLICY_KINDS, THEMES } from '../../../src-main/core/model'
import { compilePasswordPattern, inviteUrlTemplateProblem, passwordPatternProblem } from '../../../src-main/core/rules'
import { api } from '../api'
import { DatabaseSection } from '../components/DatabaseSection'
import { DirectusTargetSection } from '../components/DirectusTargetSection'
import { InviteVerificationSection } from '../components/InviteVerificationSection'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { useSettings } from '../state/settings'
import '../styles/directory.css'
import { AlertBanner } from '../components/AlertBanner'

const POLICY_LABELS: Record<PasswordPolicyKind, string> = {
  none: 'None',
  min8: 'At least 8 characters',
  strong: 'Strong',
  custom: 'Custom pattern'
}

const POLICY_HINTS: Record<PasswordPolicyKind, string> = {
  none: 'Any password that is not empty.',
  min8: 'Eight characters or more.',
  strong: 'At least 12 characters, with upper- and lower-case letters, a digit and a symbol.',
  custom: 'A regular expression the whole password must match.'
}

const THEME_LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' }

const SAMPLE = { token: 'q7Xk2mB9sample', email: 'ada.lovelace+team@example.org' }

interface Form {
  inviteUrlTemplate: string
  inviteLifetimeDays: string
  policyKind: PasswordPolicyKind
  pattern: string
}

const formOf = (settings: Settings): Form => ({
  inviteUrlTemplate: settings.inviteUrlTemplate ?? '',
  inviteLifetimeDays: String(settings.inviteLifetimeDays),
  policyKind: settings.passwordPolicy.kind,
  pattern: settings.passwordPolicy.pattern ?? ''
})

export function sampleLink(template: string): string {
  return template.trim().replaceAll('{token}', encodeURIComponent(SAMPLE.token)).replaceAll('{email}', encodeURIComponent(SAMPLE.email))
}

function lifetimeProblem(text: string): string | null {
  const days = Number(text)
  return Number.isInteger(days) && days >= 1 && days <= 365 ? null : 'A whole number of days from 1 to 365.'
}

export function SettingsPage() {
  const settings = useSettings((state) => state.settings)
  const loadError = useSettings((state) => state.error)
  const { load, update } = useSettings.getState()
  const [form, setForm] = useState<Form | null>(settings ? formOf(settings) : null)
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({})
  const [saving, setSaving] = useState(false)
  const [appInfo, setAppInfo] = useState<AppInfo | null>(null)

  useEffect(() => {
    void load().then((loaded) => {
      if (loaded) setForm(formOf(loaded))
    })
    void api.getAppInfo().then((result) => {
      if (result.ok) setAppInfo(result.value)
    })
  }, [load])

  if (!settings || !form) {
    return (
      <div className="page">
        <header className="page-header">
          <div className="page-heading">
            <h1 className="page-title">Settings</h1>
          </div>
        </header>
        {loadError ? <AlertBanner message={describeError(loadError)} /> : <p className="muted">Loading settings…</p>}
      </div>
    )
  }

  const saved = formOf(settings)
  const problems = {
    inviteUrlTemplate: inviteUrlTemplateProblem(form.inviteUrlTemplate) ?? serverErrors.inviteUrlTemplate ?? null,
    inviteLifetimeDays: lifetimeProblem(form.inviteLifetimeDays) ?? serverErrors.inviteLifetimeDays ?? null,
    pattern: (form.policyKind === 'custom' ? passwordPatternProblem(form.pattern) : null) ?? serverErrors['passwordPolicy.pattern'] ?? null
  }
  const policyChanged = form.policyKind !== saved.policyKind || (form.policyKind === 'custom' && form.pattern !== saved.pattern)
  const changed =
    form.inviteUrlTemplate.trim() !== saved.inviteUrlTemplate ||
    Number(form.inviteLifetimeDays) !== settings.inviteLifetimeDays ||
    policyChanged
  const invalid = Object.values(problems).some((problem) => problem !== null)

  const edit = (change: Partial<Form>): void => {
    setForm((previous) => (previous ? { ...previous, ...change } : previous))
    setServerErrors({})
  }

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault()
    if (!changed || invalid || saving) return
    setSaving(true)
    try {
      const template = form.inviteUrlTemplate.trim()
      const result = await update({
        inviteUrlTemplate: template === '' ? null : template,
        inviteLifetimeDays: Number(form.inviteLifetimeDays),
        passwordPolicy: { kind: form.policyKind, pattern: form.policyKind === 'custom' ? form.pattern : null }
      })
      if (!result.ok) {
        setServerErrors(result.error.fields ?? {})
        notify({ tone: 'error', message: describeError(result.error) })
        return
      }
      setForm(formOf(result.settings))
      notify({ tone: 'success', message: 'Settings saved.' })
    } finally {
      setSaving(false)
    }
  }

  const chooseTheme = async (theme: Theme): Promise<void> => {
    const result = await useSettings.getState().chooseTheme(theme)
    if (!result.ok) notify({ tone: 'error', message: describeError(result.error) })
  }

  const describedBy = (id: string, hint: string | null, problem: string | null): string | undefined =>
    [hint, problem ? `${id}-error` : null].filter(Boolean).join(' ') || undefined

  return (
    <div className="page page--settings">
      <header className="page-header">
        <div className="page-heading">
          <h1 className="page-title">Settings</h1>
          <p className="page-subtitle">Stored in the database file, so they travel with it.</p>
        </div>
      </header>

      <div className="settings-layout">
        <div className="settings-column">
          <form className="card settings-card" noValidate onSubmit={(event) => void submit(event)} aria-labelledby="settings-invites-title">
            <h2 id="settings-invites-title" className="card-title">
              Invites and passwords
            </h2>

            <div className="field">
              <label className="field-label" htmlFor="settings-template">
                Invite URL template
              </label>
              <p id="settings-template-hint" className="field-hint">
                An http or https address with <code>{'{token}'}</code> (required) and optionally <code>{'{email}'}</code>; both are
                URL-encoded. Leave empty to export bare tokens.
              </p>
              <input
                id="settings-template"
                className="input mono"
                type="url"
                spellCheck={false}
                autoComplete="off"
                placeholder="https://intranet.example.org/accept?token={token}&email={email}"
                value={form.inviteUrlTemplate}
                aria-invalid={problems.inviteUrlTemplate ? true : undefined}
                aria-describedby={describedBy(
                  'settings-template',
                  'settings-template-hint settings-template-preview',
                  problems.inviteUrlTemplate
                )}
                onChange={(event) => edit({ inviteUrlTemplate: event.target.value })}
              />
              {problems.inviteUrlTemplate ? (
                <p id="settings-template-error" className="field-error">
                  {problems.inviteUrlTemplate}
                </p>
              ) : null}
              <p id="settings-template-preview" className="link-preview">
                <span className="field-label">Sample link</span>{' '}
                <span className="mono link-preview-value" data-testid="sample-link">
                  {form.inviteUrlTemplate.trim() === ''
                    ? `${SAMPLE.token} (a bare token)`
                    : problems.inviteUrlTemplate
                      ? '—'
                      : sampleLink(form.inviteUrlTemplate)}
                </span>
              </p>
            </div>

            <div className="field field--short">
              <label className="field-label" htmlFor="settings-lifetime">
                Invite lifetime (days)
              </label>
              <input
                id="settings-lifetime"
                className="input"
                type="number"
                min={1}
                max={365}
                step={1}
                value={form.inviteLifetimeDays}
                aria-invalid={problems.inviteLifetimeDays ? true : undefined}
                aria-describedby={describedBy('settings-lifetime', null, problems.inviteLifetimeDays)}
                onChange={(event) => edit({ inviteLifetimeDays: event.target.value })}
              />
              {problems.inviteLifetimeDays ? (
                <p id="settings-lifetime-error" className="field-error">
                  {problems.inviteLifetimeDays}
                </p>
              ) : null}
            </div>

            <fieldset className="field">
              <legend className="field-label">Password policy</legend>
              <div className="choice-list">
                {PASSWORD_POLICY_KINDS.map((kind) => (
                  <label key={kind} className="choice">
                    <input
                      type="radio"
                      name="password-policy"
                      value={kind}
                      checked={form.policyKind === kind}
                      onChange={() => edit({ policyKind: kind })}
                    />
                    <span className="choice-text">
                      <span className="choice-label">{POLICY_LABELS[kind]}</span>
                      <span className="choice-hint">{POLICY_HINTS[kind]}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>

            {form.policyKind === 'custom' ? (
              <div className="field">
                <label className="field-label" htmlFor="settings-pattern">
                  Pattern
                </label>
                <input
                  id="settings-pattern"
                  className="input mono"
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="(?=.*\d).{10,}"
                  value={form.pattern}
                  aria-invalid={problems.pattern ? true : undefined}
                  aria-describedby={describedBy('settings-pattern', null, problems.pattern)}
                  onChange={(event) => edit({ pattern: event.target.value })}
                />
                {problems.pattern ? (
                  <p id="settings-pattern-error" className="field-error">
                    {problems.pattern}
                  </p>
                ) : null}
              </div>
            ) : null}

            <PasswordTester form={form} policyChanged={policyChanged} patternValid={problems.pattern === null} />

            <div className="form-actions">
              {changed ? <span className="muted">Unsaved changes</span> : null}
              <button
                type="button"
                className="button"
                disabled={!changed || saving}
                onClick={() => {
                  setForm(saved)
                  setServerErrors({})
                }}
              >
                Reset
              </button>
              <button
                type="submit"
                className="button button--primary"
                disabled={!changed || invalid || saving}
                aria-busy={saving || undefined}
              >
                Save settings
              </button>
            </div>
          </form>

          <DirectusTargetSection />
        </div>

        <div className="settings-column">
          <section className="card settings-card" aria-labelledby="settings-appearance-title">
            <h2 id="settings-appearance-title" className="card-title">
              Appearance
            </h2>
            <fieldset className="field">
              <legend className="field-label">Theme</legend>
              <div className="choice-row">
                {THEMES.map((theme) => (
                  <label key={theme} className="choice choice--pill">
                    <input
                      type="radio"
                      name="theme"
                      value={theme}
                      checked={settings.theme === theme}
                      onChange={() => void chooseTheme(theme)}
                    />
                    <span className="choice-label">{THEME_LABELS[theme]}</span>
                  </label>
                ))}
              </div>
              <p className="field-hint">System follows the operating system’s light or dark appearance. Applied at once.</p>
            </fieldset>
          </section>

          <InviteVerificationSection />

          <DatabaseSection appInfo={appInfo} />
        </div>
      </div>
    </div>
  )
}

/** Tries a password on the policy: the saved one through the main process, a custom pattern being edited here. */
function PasswordTester({ form, policyChanged, patternValid }: { form: Form; policyChanged: boolean; patternValid: boolean }) {
  const [password, setPassword] = useState('')
  const [verdict, setVerdict] = useState<{ password: string; ok: boolean; message: string } | null>(null)

  const testsLocally = policyChanged && form.policyKind === 'custom' && patternValid
  useEffect(() => {
    if (password.length === 0 || policyChanged) return
    let current = true
    const timer = setTimeout(() => {
      void api.checkPassword({ password }).then((result) => {
        if (!current) return
        if (!result.ok) setVerdict({ password, ok: false, message: describeError(result.error) })
        else
          setVerdict({
            password,
            ok: result.value.ok,
            message: result.value.ok ? 'Satisfies the policy.' : (result.value.message ?? 'Does not satisfy the policy.')
          })
      })
    }, 150)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [password, policyChanged])

  // A pattern not saved yet is tried here, compiled by the same rule as the main process.
  const local = testsLocally && password.length > 0 ? (compilePasswordPattern(form.pattern)?.test(password) ?? false) : null
  const untestable = policyChanged && form.policyKind !== 'custom'
  const shown =
    local !== null
      ? { ok: local, message: local ? 'Matches the pattern.' : `Does not match the pattern ${form.pattern}` }
      : verdict && verdict.password === password && password.length > 0 && !policyChanged
        ? verdict
        : null
  return (
    <div className="field">
      <label className="field-label" htmlFor="settings-test-password">
        Test a password
      </label>
      <input
        id="settings-test-password"
        className="input"
        type="text"
        spellCheck={false}
        autoComplete="off"
        value={password}
        aria-describedby="settings-test-result"
        onChange={(event) => setPassword(event.target.value)}
      />
      <p
        id="settings-test-result"
        className={shown ? (shown.ok ? 'test-result test-result--ok' : 'test-result test-result--bad') : 'field-hint'}
        aria-live="polite"
      >
        {untestable
          ? 'Save the settings to test this policy.'
          : shown
            ? shown.message
            : 'Type a password to see whether the policy accepts it. Nothing is stored.'}
      </p>
    </div>
  )
}
