/**
 * The names of the calls and the channels they travel on, without their schemas: the sandboxed
 * preload is bundled into one file and must not pull zod in. `contract.ts` is still the single
 * source; the check at the bottom makes this list a compile error as soon as the two differ.
 */
import type { OperationProgress } from '../core/model'
import type { CallName } from './contract'

export const CALL_NAMES = [
  'getAppInfo',
  'listRoles',
  'getRole',
  'createRole',
  'updateRole',
  'deleteRole',
  'saveRoleChanges',
  'listUsers',
  'countUsers',
  'getUser',
  'createUser',
  'updateUser',
  'bulkUpdateUsers',
  'deleteUsers',
  'previewInvites',
  'inviteUsers',
  'resendInvite',
  'revokeInvite',
  'getInviteLink',
  'listInvites',
  'acceptInvite',
  'getInviteVerification',
  'exportVerificationKey',
  'getSettings',
  'updateSettings',
  'checkPassword',
  'getDirectusTarget',
  'saveDirectusTarget',
  'clearDirectusTarget',
  'previewExport',
  'exportInvites',
  'cancelOperation',
  'previewImport',
  'applyImport',
  'backupDatabase',
  'openDatabase',
  'showSavedFile',
  'listActivity'
] as const satisfies readonly CallName[]

/** The channel a call travels on over Electron IPC. */
export const channelOf = (name: CallName): string => `rolekeeper:${name}`

/** The shell's own messages (not contract calls): the renderer reports unsaved edits. */
export const SHELL_CHANNELS = {
  unsavedChanges: 'rolekeeper-shell:unsaved-changes',
  /** Main → renderer: an `OperationProgress` of a running export, import or invite. */
  progress: 'rolekeeper-shell:progress',
  /** Main → renderer: a `MenuCommand` chosen in the native menu or by its accelerator. */
  menuCommand: 'rolekeeper-shell:menu-command'
} as const

/**
 * What the desktop's native menu asks the page to do. The menu owns the accelerators
 * (CmdOrCtrl+S save, CmdOrCtrl+N new user, CmdOrCtrl+F find, CmdOrCtrl+O open database,
 * CmdOrCtrl+, settings), so on
 * the desktop the page acts on these commands and not on its own keydown for the same keys.
 */
export const MENU_COMMANDS = [
  'save',
  'new-user',
  'find',
  'open-database',
  /** Open the file the desktop was asked to open (Open Recent, the command line): `openDatabase({ requested: true })`. */
  'open-requested-database',
  'backup-database',
  'import-users',
  'export-invites',
  /** Show the Settings page (the app menu's Settings…, ⌘, on macOS). */
  'settings'
] as const

export type MenuCommand = (typeof MENU_COMMANDS)[number]

/** `window.rolekeeperShell`: what the renderer may tell the window it lives in. */
export interface RolekeeperShellApi {
  /** True while a page holds staged edits, so closing the window asks first. */
  setUnsavedChanges(unsaved: boolean): void
  /**
   * Progress of running exports, imports and invites, tagged with the operation id the renderer
   * gave the call (`exportId`, `operationId`); returns the function that stops listening. The
   * browser host's page asks the host for them while something listens.
   */
  onProgress?(listener: (progress: OperationProgress) => void): () => void
  /**
   * Commands from the native menu; returns the function that stops listening. Absent in the
   * browser host, which has no native menu: there the page keeps its own keyboard shortcuts.
   */
  onMenuCommand?(listener: (command: MenuCommand) => void): () => void
}

// Every call in the contract is listed above (the `satisfies` rules out names that are not).
type Missing = Exclude<CallName, (typeof CALL_NAMES)[number]>
const _everyCallListed: [Missing] extends [never] ? true : Missing = true
