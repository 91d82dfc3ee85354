/**
 * The shapes of invite-list exports and CSV imports, as they cross the boundary between the
 * store and whatever shows them. Plain types and constants only, like model.ts: the renderer
 * type-checks against this file.
 */
import type { UserStatus } from './model'

// ---------------------------------------------------------------------------------------------
// Export

export const EXPORT_FORMATS = ['csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The user directory's filter, as `userFilterSchema` in the contract produces it. */
export interface UserFilterSpec {
  search?: string
  roleId?: string | null
  notInRoleId?: string
  status?: UserStatus[]
}

/** Explicitly chosen users, or every user matching a filter. */
export type UserSelectionSpec = { ids: string[] } | { filter: UserFilterSpec }

/**
 * What an export holds:
 * - `roleInvites`: the pending invites of one role (`roleId` null: Public);
 * - `allInvites`: every pending invite;
 * - `users`: the directory's selection or filter, in any status: a user export, with profile
 *   columns, whose invite link is filled for invited users only.
 */
export type ExportScope =
  { kind: 'roleInvites'; roleId: string | null } | { kind: 'allInvites' } | { kind: 'users'; selection: UserSelectionSpec }

export interface ExportOptions {
  scope: ExportScope
  format: ExportFormat
  /** CSV only: start with a UTF-8 byte order mark so Excel reads the file as UTF-8. */
  bom: boolean
}

/** The columns of every export, in order; JSON objects use the same keys. */
export const INVITE_EXPORT_COLUMNS = [
  'email',
  'first_name',
  'last_name',
  'role',
  'status',
  'invited_at',
  'invite_expires_at',
  'invite_link'
] as const

/** A user export adds the profile columns and the creation time. */
export const USER_EXPORT_COLUMNS = [...INVITE_EXPORT_COLUMNS, 'title', 'location', 'description', 'tags', 'created_at'] as const

export type ExportColumn = (typeof USER_EXPORT_COLUMNS)[number]

export interface ExportResult {
  rows: number
  path: string
}

// ---------------------------------------------------------------------------------------------
// Import

/** Data rows accepted in one import file (the header row not counted). */
export const IMPORT_ROW_LIMIT = 200_000
/** Size of an import file the main process is willing to read. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024

/**
 * Rows a preview lists in full: every row up to `firstRows`, then only invalid and duplicate
 * rows, up to `problemRows` more. The counts always cover the whole file, so a 200,000-row
 * preview stays a few hundred kilobytes while every problem the admin must fix is still shown
 * (unless there are more than `problemRows` of them, which `rowsOmitted` then says).
 */
export const IMPORT_PREVIEW_LIMITS = { firstRows: 1000, problemRows: 5000 } as const

export const IMPORT_ROW_OUTCOMES = ['new', 'update', 'unchanged', 'invalid', 'duplicate'] as const
export type ImportRowOutcome = (typeof IMPORT_ROW_OUTCOMES)[number]

export const IMPORT_FIELDS = ['firstName', 'lastName', 'role', 'status'] as const
/** What an import can change on an existing user. */
export type ImportField = (typeof IMPORT_FIELDS)[number]

export interface ImportOptions {
  /** What to do with rows whose address is already a user. */
  existing: 'skip' | 'update'
  /** The status of new users whose row has no status. */
  newUsersAs: 'invited' | 'draft'
}

export interface ImportRow {
  /** The line of the file the row starts on (the header is line 1 in most files). */
  line: number
  /** The cells as written (trimmed); null when empty or when the file has no such column. */
  email: string
  firstName: string | null
  lastName: string | null
  role: string | null
  status: string | null
  outcome: ImportRowOutcome
  /** Why the row is invalid, a duplicate or unchanged; null for new and update. */
  reason: string | null
  /** The existing user the row is about (update, unchanged). */
  userId: string | null
  /** For update: the fields that change. */
  changes: ImportField[]
}

export interface ImportPreview {
  /** Data rows in the file. */
  totalRows: number
  counts: Record<ImportRowOutcome, number>
  /** Which header each known column was read from, e.g. `{ email: 'E-mail' }`. */
  columns: Partial<Record<'email' | ImportField, string>>
  /** Header names that matched no known column and are not read. */
  ignoredColumns: string[]
  /** A bounded list, in file order: see IMPORT_PREVIEW_LIMITS. */
  rows: ImportRow[]
  /** Rows counted but not listed. */
  rowsOmitted: number
}

export interface ImportResult {
  /** What happened to the file's rows; `new` and `update` were written. */
  counts: Record<ImportRowOutcome, number>
  /** The activity entry of the import; null when nothing was written. */
  activityId: number | null
}

// ---------------------------------------------------------------------------------------------
// What the calls return (see the export and import calls in src-main/ipc/contract.ts)

/**
 * A file the browser host offers as a download. The host's page script has already fetched it
 * and started the browser's download by the time the call's promise resolves: the renderer only
 * shows that it was saved.
 */
export interface HostDownload {
  url: string
  fileName: string
}

// A dismissed save or open dialog answers the `cancelled` error, like a cancelled export: the
// renderer says nothing for it.

/**
 * An export saved through the save dialog. `path` is the full path on the desktop and the file's
 * name in the browser host, where `download` is set.
 */
export interface ExportOutcome {
  saved: true
  rows: number
  path: string
  download?: HostDownload
}

/** A backup of the database saved through the save dialog; `path` and `download` as for an export. */
export interface BackupOutcome {
  saved: true
  path: string
  download?: HostDownload
}

/**
 * Another database file opened: the app now works on `databasePath`, so the renderer reloads
 * everything it shows (simplest: reload the page).
 */
export interface OpenDatabaseOutcome {
  opened: true
  databasePath: string
}

/**
 * Progress of a running export, import or invite, sent by the main process tagged with the
 * operation id the renderer gave the call (an export's `exportId`).
 */
export interface OperationProgress {
  operationId: string
  done: number
  total: number
}

/**
 * A preview of a chosen file; `fileId` names the file again for another preview or the apply
 * (null, like `fileName`, when the renderer sent the file's text).
 */
export interface ImportFilePreview {
  chosen: true
  fileId: string | null
  fileName: string | null
  preview: ImportPreview
}
