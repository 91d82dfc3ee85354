import { useDatabaseFile } from '../state/databaseFile'
import { ModalDialog } from './ModalDialog'
import { OperationProgress } from './OperationProgress'

/**
 * While Open database checks the chosen file: how far the check is, and Cancel (the database in
 * use stays). Shown once the desktop reports the check, so never over the open dialog itself.
 */
export function OpeningDatabaseDialog() {
  const opening = useDatabaseFile((state) => state.opening)
  const cancel = useDatabaseFile((state) => state.cancel)
  const checking = opening !== null && opening.done !== null
  return (
    <ModalDialog
      open={checking}
      onOpenChange={(open) => {
        if (!open) cancel()
      }}
      title="Opening database"
      description="Rolekeeper checks the whole file before it uses it, without changing it."
      footer={
        <button type="button" className="button" disabled={opening?.cancelling ?? false} onClick={cancel}>
          Cancel
        </button>
      }
    >
      {opening ? (
        <OperationProgress
          id="opening-database"
          running={{ operationId: opening.operationId, done: opening.done, total: opening.total, cancelling: opening.cancelling }}
          label="Checking the file"
        />
      ) : null}
    </ModalDialog>
  )
}
