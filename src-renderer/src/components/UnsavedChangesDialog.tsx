import { discardAndLeave, keepEditing, useRouter } from '../router'
import { ConfirmDialog } from './ConfirmDialog'

/** Asked whenever a route change would drop the role page's staged changes. */
export function UnsavedChangesDialog() {
  const pending = useRouter((state) => state.pendingRoute)
  return (
    <ConfirmDialog
      open={pending !== null}
      title="Unsaved changes"
      description="This page has changes that are not saved yet. If you leave now, they are lost."
      confirmLabel="Discard changes"
      cancelLabel="Keep editing"
      destructive
      onConfirm={discardAndLeave}
      onCancel={keepEditing}
    />
  )
}
