/**
 * What the core answers: the output shapes of every call, and the constants both sides share
 * (statuses, limits, formats). Plain types and constants only, so the renderer can import the
 * constants and type-check against the shapes without pulling in anything that needs Node.
 * What the core accepts is in inputs.ts.
 */

export const USER_STATUSES = ['draft', 'invited', 'active', 'suspended', 'archived'] as const
export type UserStatus = (typeof USER_STATUSES)[number]

export const DEFAULT_ROLE_ICON = 'supervised_user_circle'

/** Limits that are checked at the boundary and reported, never applied silently. */
export const LIMITS = {
  roleName: 100,
  roleDescription: 2000,
  ipAccessEntries: 200,
  email: 254,
  personName: 50,
  profileText: 200,
  userDescription: 2000,
  tags: 50,
  tagLength: 50,
  password: 1024,
  /** Characters accepted in one paste of addresses. */
  pasteCharacters: 5_000_000,
  /** Entries (addresses) accepted in one paste. */
  pasteEntries: 50_000,
  /** Members staged in one role change set (each of create, add, remove). */
  changeSetMembers: 100_000,
  /** Users named in one bulk operation. */
  bulkIds: 1_000_000,
  pageSize: 500
} as const

export interface Role {
  id: string
  name: string
  icon: string
  description: string | null
  adminAccess: boolean
  appAccess: boolean
  ipAccess: string[]
  enforceTfa: boolean
  createdAt: string
  updatedAt: string
}

export interface RoleSummary extends Role {
  memberCount: number
}

/** The roles list: the Public pseudo-role (users without a role) first, then every role. */
export interface RolesOverview {
  public: { memberCount: number }
  roles: RoleSummary[]
}

export interface RoleDetail extends Role {
  memberCount: number
  /** Members who are `invited`: what an export of this role's pending invites would hold. */
  pendingInviteCount: number
}

export interface User {
  id: string
  email: string
  firstName: string | null
  lastName: string | null
  status: UserStatus
  roleId: string | null
  /** The role's name, or null for Public. */
  roleName: string | null
  hasPassword: boolean
  title: string | null
  location: string | null
  description: string | null
  tags: string[]
  invitedAt: string | null
  inviteExpiresAt: string | null
  createdAt: string
  updatedAt: string
  lastChangedBy: string | null
}

export const USER_SORT_FIELDS = ['name', 'email', 'role', 'status', 'createdAt', 'inviteExpiresAt'] as const
export type UserSortField = (typeof USER_SORT_FIELDS)[number]

export interface UserPage {
  rows: User[]
  /** Users matching the filter; at most `TOTAL_CAP` when `totalCapped` is true. */
  total: number
  totalCapped: boolean
  /** Pass back as `after` for the next page; null on the last page. */
  nextCursor: string | null
}

/** Counts for the user directory's filters. */
export interface UserCounts {
  all: number
  byStatus: Record<UserStatus, number>
  noRole: number
  byRole: Record<string, number>
}

export type PasteEntryStatus = 'valid' | 'invalid' | 'duplicate'

export interface PasteEntry {
  /** The piece of the paste as the admin wrote it (trimmed). */
  raw: string
  /** The address as it will be stored (casing kept), or null when none could be read. */
  email: string | null
  firstName: string | null
  lastName: string | null
  status: PasteEntryStatus
  /** Why the entry is invalid or a duplicate; null when valid. */
  reason: string | null
}

export interface PastePreview {
  entries: PasteEntry[]
  counts: Record<PasteEntryStatus, number>
}

export const INVITE_OUTCOMES = ['invited', 'reinvited', 'already_user', 'invalid', 'duplicate'] as const
export type InviteOutcome = (typeof INVITE_OUTCOMES)[number]

export interface InviteResult {
  raw: string
  email: string | null
  outcome: InviteOutcome
  /** For invalid / duplicate / already_user: the reason, e.g. "already a user (active)". */
  reason: string | null
  userId: string | null
  /** For already_user: the status the user has. */
  existingStatus: UserStatus | null
  /** For invited / reinvited: the invite link (or bare token without a URL template). */
  inviteLink: string | null
  inviteExpiresAt: string | null
}

export interface InviteBatch {
  results: InviteResult[]
  counts: Record<InviteOutcome, number>
}

export interface InviteLink {
  userId: string
  email: string
  token: string
  /** The link built from the URL template, or the bare token when no template is set. */
  inviteLink: string
  inviteExpiresAt: string
}

/** One row of an invite list, ready to export. */
export interface InviteListRow {
  userId: string
  email: string
  firstName: string | null
  lastName: string | null
  role: string | null
  status: UserStatus
  invitedAt: string | null
  inviteExpiresAt: string | null
  inviteLink: string
}

export interface InviteListPage {
  rows: InviteListRow[]
  nextCursor: string | null
}

export const PASSWORD_POLICY_KINDS = ['none', 'min8', 'strong', 'custom'] as const
export type PasswordPolicyKind = (typeof PASSWORD_POLICY_KINDS)[number]

export interface PasswordPolicy {
  kind: PasswordPolicyKind
  /** For `custom`: a JavaScript regular expression the whole password must match. */
  pattern: string | null
}

export const THEMES = ['system', 'light', 'dark'] as const
export type Theme = (typeof THEMES)[number]

export interface Settings {
  /** e.g. `https://intranet.example.org/accept?token={token}&email={email}`; null: bare tokens. */
  inviteUrlTemplate: string | null
  inviteLifetimeDays: number
  passwordPolicy: PasswordPolicy
  /** The policy in words, shown before the admin types a password. */
  passwordPolicyText: string
  theme: Theme
}

export const ACTIVITY_COLLECTIONS = ['roles', 'users', 'settings'] as const
export type ActivityCollection = (typeof ACTIVITY_COLLECTIONS)[number]

export interface ActivityEntry {
  id: number
  at: string
  /** The operating-system user who made the change. */
  actor: string
  /** What happened, e.g. `role.update`, `user.invite`, `role.save`. */
  action: string
  collection: ActivityCollection
  recordIds: string[]
  summary: string
  before: unknown
  after: unknown
}

export interface ActivityPage {
  rows: ActivityEntry[]
  nextCursor: string | null
}

export interface RoleChangeSetResult {
  role: RoleDetail
  created: User[]
  added: number
  removed: number
}

export interface AppInfo {
  version: string
  databasePath: string
  /** `desktop` inside Electron, `host` in the browser host used for development and tests. */
  runtime: 'desktop' | 'host'
}

// ---------------------------------------------------------------------------------------------
// Export

export const EXPORT_FORMATS = ['csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

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
// What the transfer calls return

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
  /** Names the file for `showSavedFile` (Show in folder); null where it is a download (browser host). */
  savedFileId: string | null
}

/** A backup of the database saved through the save dialog; `path`, `download` and `savedFileId` as for an export. */
export interface BackupOutcome {
  saved: true
  path: string
  download?: HostDownload
  savedFileId: string | null
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
