import { useState } from 'react'
import type { AppInfo } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { useBackup } from '../state/backup'
import { Icon } from './Icon'

/** The database file in use: where it is, a backup through the save dialog (with progress and Cancel), and switching to another file. */
export function DatabaseSection({ appInfo }: { appInfo: AppInfo | null }) {
  const [opening, setOpening] = useState(false)
  const [openProblem, setOpenProblem] = useState<string | null>(null)
  const backup = useBackup((state) => state.running)
  const backupProblem = useBackup((state) => state.problem)
  const { start: backUp, cancel: cancelBackup } = useBackup.getState()
  const problem = openProblem ?? backupProblem
  const busy = backup ? 'backup' : opening ? 'open' : null
  const percent =
    backup && backup.done !== null && backup.total !== null && backup.total > 0
      ? Math.min(100, Math.round((backup.done / backup.total) * 100))
      : null

  const openOther = async (): Promise<void> => {
    setOpening(true)
    setOpenProblem(null)
    try {
      const result = await api.openDatabase()
      if (result.ok) {
        // Every screen shows data of the previous file: start again on the new one.
        window.location.reload()
        return
      }
      if (result.error.code !== 'cancelled') setOpenProblem(describeError(result.error))
    } finally {
      setOpening(false)
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
          Everything Rolekeeper knows lives in this one file. Invite links also need the invite key kept beside it in the app’s data folder.
        </p>
      </div>
      {problem ? (
        <div className="banner banner--error" role="alert">
          <Icon name="error" />
          <span>{problem}</span>
        </div>
      ) : null}
      {backup ? (
        <div className="export-progress">
          <p id="settings-backup-progress-label">
            {backup.cancelling
              ? 'Cancelling…'
              : percent === null
                ? 'Backing up…'
                : percent === 100
                  ? 'Checking the copy…'
                  : `Backing up: ${percent}%`}
          </p>
          <progress
            aria-labelledby="settings-backup-progress-label"
            className="progress"
            max={100}
            value={percent ?? undefined}
            aria-valuenow={percent ?? undefined}
          />
        </div>
      ) : null}
      <div className="form-actions form-actions--start">
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-busy={busy === 'backup' || undefined}
          onClick={() => {
            setOpenProblem(null)
            void backUp()
          }}
        >
          <Icon name="backup" />
          Back up database
        </button>
        {backup ? (
          <button type="button" className="button" disabled={backup.cancelling} onClick={cancelBackup}>
            Cancel backup
          </button>
        ) : null}
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
