import { useState } from 'react'
import type { AppInfo } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { notify } from '../state/notifications'
import { Icon } from './Icon'

/** The database file in use: where it is, a backup through the save dialog, and switching to another file. */
export function DatabaseSection({ appInfo }: { appInfo: AppInfo | null }) {
  const [busy, setBusy] = useState<'backup' | 'open' | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  const backUp = async (): Promise<void> => {
    setBusy('backup')
    setProblem(null)
    try {
      const result = await api.backupDatabase()
      if (result.ok) notify({ tone: 'success', message: `Backed up the database to ${result.value.path}.` })
      else if (result.error.code !== 'cancelled') setProblem(describeError(result.error))
    } finally {
      setBusy(null)
    }
  }

  const openOther = async (): Promise<void> => {
    setBusy('open')
    setProblem(null)
    try {
      const result = await api.openDatabase()
      if (result.ok) {
        // Every screen shows data of the previous file: start again on the new one.
        window.location.reload()
        return
      }
      if (result.error.code !== 'cancelled') setProblem(describeError(result.error))
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="settings-database-title">
      <h2 id="settings-database-title" className="card-title">
        Database file
      </h2>
      <div className="field">
        <span className="field-label" id="settings-database-path-label">
          In use
        </span>
        <p className="mono database-path" aria-labelledby="settings-database-path-label">
          {appInfo?.databasePath ?? 'Loading…'}
        </p>
        <p className="field-hint">
          Everything Rolekeeper knows lives in this one file, except its keys: invite links also need the invite signing key, kept outside
          this file in the app’s data folder. Back up both.
        </p>
      </div>
      {problem ? (
        <div className="banner banner--error" role="alert">
          <Icon name="error" />
          <span>{problem}</span>
        </div>
      ) : null}
      <div className="form-actions form-actions--start">
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-busy={busy === 'backup' || undefined}
          onClick={() => void backUp()}
        >
          <Icon name="backup" />
          Back up database
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-busy={busy === 'open' || undefined}
          onClick={() => void openOther()}
        >
          <Icon name="folder_open" />
          Open database
        </button>
      </div>
    </section>
  )
}
