import { useEffect } from 'react'
import type { MenuCommand } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { navigate, useRouter } from '../router'
import { notify } from '../state/notifications'
import { useBackup } from '../state/backup'
import { useRolePage } from '../state/rolePage'
import { useDirectory, type DirectoryDialog } from '../state/users'

/** A dialog or drawer on top holds the keyboard: the menu must not act underneath it. */
const overlayOpen = (): boolean => document.querySelector('[role="dialog"], [role="alertdialog"]') !== null

function openDirectoryDialog(dialog: DirectoryDialog): void {
  navigate({ page: 'users' })
  // Navigation may be held by the unsaved-changes question; open only once the directory shows.
  if (useRouter.getState().route.page === 'users') useDirectory.getState().openDialog(dialog)
}

/** Settings shows the backup's progress and Cancel, so the menu's backup runs there. */
function backUp(): void {
  navigate({ page: 'settings' })
  if (useRouter.getState().route.page === 'settings') void useBackup.getState().start()
}

async function openOther(): Promise<void> {
  const result = await api.openDatabase()
  if (result.ok) window.location.reload()
  else if (result.error.code !== 'cancelled') notify({ tone: 'error', message: describeError(result.error) })
}

function run(command: MenuCommand): void {
  if (overlayOpen()) return
  switch (command) {
    case 'save':
      if (useRouter.getState().route.page === 'role') void useRolePage.getState().save()
      return
    case 'find':
      document.querySelector<HTMLInputElement>('main input[type="search"]')?.focus()
      return
    case 'new-user':
      openDirectoryDialog('invite')
      return
    case 'import-users':
      openDirectoryDialog('import')
      return
    case 'export-invites':
      openDirectoryDialog('export')
      return
    case 'backup-database':
      backUp()
      return
    case 'open-database':
      void openOther()
      return
  }
}

/** The desktop's native menu commands; the browser host has no menu and renders nothing here. */
export function MenuCommands() {
  useEffect(() => window.rolekeeperShell?.onMenuCommand?.(run), [])
  return null
}
