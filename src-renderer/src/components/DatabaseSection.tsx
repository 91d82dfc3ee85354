import { useState } from 'react'
import type { AppInfo, BackupOutcome } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { useDatabaseFile } from '../state/databaseFile'
import { notify } from '../state/notifications'
import { Icon } from './Icon'
import { ShowInFolderButton } from './ShowInFolderButton'

/**
 * The database file in use: where it is, a backup through the save dialog (then Show in folder
 * beside where it says where it went), and switching to another file, whose check shows its
 * progress in the Opening database dialog.
 */
export function DatabaseSection({ appInfo }: { appInfo: AppInfo | null }) {
  const [backingUp, setBackingUp] = useState(false)
  const [backup, setBackup] = useState<BackupOutcome | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const opening = useDatabaseFile((state) => state.opening !== null)
  const openDatabase = useDatabaseFile((state) => state.open)
  const busy = backingUp || opening

  const backUp = async (): Promise<void> => {
    setBackingUp(true)
    setProblem(null)
    setBackup(null)
    try {
      const result = await api.backupDatabase()
      if (result.ok) {
        setBackup(result.value)
        notify({ tone: 'success', message: `Backed up the database to ${result.value.path}.` })
      } else if (result.error.code !== 'cancelled') setProblem(describeError(result.error))
    } finally {
      setBackingUp(false)
    }
  }

  const openOther = async (): Promise<void> => {
    setProblem(null)
    const error = await openDatabase()
    if (error) setProblem(describeError(error))
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
        <div className="saved-file" role="status">
          <span>
            Backed up to <span className="mono">{backup.path}</span>
            {backup.download ? ' (see your browser’s downloads).' : '.'}
          </span>
          <ShowInFolderButton savedFileId={backup.savedFileId} />
        </div>
      ) : null}
      <div className="form-actions form-actions--start">
        <button type="button" className="button" disabled={busy} aria-busy={backingUp || undefined} onClick={() => void backUp()}>
          <Icon name="backup" />
          Back up database
        </button>
        <button type="button" className="button" disabled={busy} aria-busy={opening || undefined} onClick={() => void openOther()}>
          <Icon name="folder_open" />
          Open database
        </button>
      </div>
    </section>
  )
}
