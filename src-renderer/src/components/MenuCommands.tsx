import { useEffect } from 'react'
import type { MenuCommand } from '../../../src-main/ipc/contract'
import { navigate, useRouter } from '../router'
import { useDatabaseFile } from '../state/databaseFile'
import { useRolePage } from '../state/rolePage'
import { useDirectory, type DirectoryDialog } from '../state/users'

/** A dialog or drawer on top holds the keyboard: the menu must not act underneath it. */
const overlayOpen = (): boolean => document.querySelector('[role="dialog"], [role="alertdialog"]') !== null

function openDirectoryDialog(dialog: DirectoryDialog): void {
  navigate({ page: 'users' })
  // Navigation may be held by the unsaved-changes question; open only once the directory shows.
  if (useRouter.getState().route.page === 'users') useDirectory.getState().openDialog(dialog)
}

/**
 * Backups and opens end in Settings' database card, which says where a backup went (with Show in
 * folder) and why a file was refused. Navigation may be held by the unsaved-changes question;
 * then nothing starts.
 */
function inDatabaseCard(run: () => void): void {
  navigate({ page: 'settings' })
  if (useRouter.getState().route.page === 'settings') run()
}

function run(command: MenuCommand): void {
  if (overlayOpen()) return
  switch (command) {
    case 'settings':
      navigate({ page: 'settings' })
      return
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
      inDatabaseCard(() => void useDatabaseFile.getState().backUp())
      return
    case 'open-database':
      inDatabaseCard(() => void useDatabaseFile.getState().open(false))
      return
    case 'open-requested-database':
      inDatabaseCard(() => void useDatabaseFile.getState().open(true))
      return
  }
}

/** The desktop's native menu commands; the browser host has no menu and renders nothing here. */
export function MenuCommands() {
  useEffect(() => window.rolekeeperShell?.onMenuCommand?.(run), [])
  return null
}
