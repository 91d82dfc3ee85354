import { useEffect } from 'react'
import type { AppInfo } from '../../../src-main/ipc/contract'
import { describeError } from '../errors'
import { useDatabaseFile } from '../state/databaseFile'
import { Icon } from './Icon'
import { ShowInFolderButton } from './ShowInFolderButton'
import { AlertBanner } from './AlertBanner'

/**
 * The database file in use: where it is, a backup through the save dialog (its progress and
 * Cancel, then where it went, with Show in folder), and switching to another file, whose check shows its progress in the
 * Opening database dialog. The menu's Back up database… and Open database… end here too.
 */
export function DatabaseSection({ appInfo }: { appInfo: AppInfo | null }) {
  const backingUp = useDatabaseFile((state) => state.backingUp)
  const cancel = useDatabaseFile((state) => state.cancel)
  const backup = useDatabaseFile((state) => state.backup)
  const problem = useDatabaseFile((state) => state.problem)
  const opening = useDatabaseFile((state) => state.opening !== null)
  const backUp = useDatabaseFile((state) => state.backUp)
  const openDatabase = useDatabaseFile((state) => state.open)
  const busy = backingUp !== null || opening
  const percent =
    backingUp && backingUp.done !== null && backingUp.total !== null && backingUp.total > 0
      ? Math.min(100, Math.round((backingUp.done / backingUp.total) * 100))
      : null
  // What was said is about this visit to Settings, not the next one.
  useEffect(() => () => useDatabaseFile.setState({ backup: null, problem: null }), [])

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
      {problem ? <AlertBanner message={describeError(problem)} /> : null}
      {backup ? (
        <div className="saved-file" role="status">
          <span>
            Backed up to <span className="mono">{backup.path}</span>
            {backup.download ? ' (see your browser’s downloads).' : '.'}
          </span>
          <ShowInFolderButton savedFileId={backup.savedFileId} />
        </div>
      ) : null}
      {backingUp ? (
        <div className="export-progress">
          <p id="settings-backup-progress-label">
            {backingUp.cancelling
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
        <button type="button" className="button" disabled={busy} aria-busy={backingUp !== null || undefined} onClick={() => void backUp()}>
          <Icon name="backup" />
          Back up database
        </button>
        {backingUp ? (
          <button type="button" className="button" disabled={backingUp.cancelling} onClick={cancel}>
            Cancel backup
          </button>
        ) : null}
        <button type="button" className="button" disabled={busy} aria-busy={opening || undefined} onClick={() => void openDatabase()}>
          <Icon name="folder_open" />
          Open database
        </button>
      </div>
    </section>
  )
}
