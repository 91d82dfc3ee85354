import { useEffect } from 'react'
import type { MenuCommand } from '../../../src-main/ipc/contract'
import { api } from '../api'
import { describeError } from '../errors'
import { navigate, useRouter } from '../router'
import { useDatabaseFile } from '../state/databaseFile'
import { notify } from '../state/notifications'
import { useRolePage } from '../state/rolePage'
import { useDirectory, type DirectoryDialog } from '../state/users'

/** A dialog or drawer on top holds the keyboard: the menu must not act underneath it. */
const overlayOpen = (): boolean => document.querySelector('[role="dialog"], [role="alertdialog"]') !== null

function openDirectoryDialog(dialog: DirectoryDialog): void {
  navigate({ page: 'users' })
  // Navigation may be held by the unsaved-changes question; open only once the directory shows.
  if (useRouter.getState().route.page === 'users') useDirectory.getState().openDialog(dialog)
}

async function backUp(): Promise<void> {
  const result = await api.backupDatabase()
  if (result.ok) notify({ tone: 'success', message: `Backed up the database to ${result.value.path}.` })
  else if (result.error.code !== 'cancelled') notify({ tone: 'error', message: describeError(result.error) })
}

async function openOther(requested: boolean): Promise<void> {
  const error = await useDatabaseFile.getState().open(requested)
  if (error) notify({ tone: 'error', message: describeError(error) })
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
      void backUp()
      return
    case 'open-database':
      void openOther(false)
      return
    case 'open-requested-database':
      void openOther(true)
      return
  }
}

/** The desktop's native menu commands; the browser host has no menu and renders nothing here. */
export function MenuCommands() {
  useEffect(() => window.rolekeeperShell?.onMenuCommand?.(run), [])
  return null
}
