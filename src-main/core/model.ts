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
  /** A first line read as column names (`Email`, a spreadsheet's header row), not invited; else null. */
  header: string | null
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
  /** A compact JWT signed with Ed25519 (invite-tokens.ts). */
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

/** What a server verifying invite links checks besides the signature (README: Verify an invite on your server). */
export interface InviteVerification {
  /** Every token's `iss`: `urn:rolekeeper:<uuid>`, this directory's own id. */
  issuer: string
  /** The signing key's id, every token's `kid`: its RFC 7638 thumbprint. */
  keyId: string
}

/** The Directus server hand-off links are made for; the SECRET itself never leaves the main process. */
export interface DirectusTargetInfo {
  publicUrl: string | null
  secretStored: boolean
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

export const EXPORT_FORMATS = ['csv', 'json', 'directus', 'scim', 'keycloak', 'ldif'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportFormatInfo {
  /** The name in the Export dialog. */
  label: string
  /** One line saying where the file goes. */
  destination: string
  /** The file name's extension. */
  extension: string
  /** A hand-off format, for the systems people sign in to (the others are Rolekeeper's own lists). */
  handoff: boolean
  /** Whether the file carries invite links and expiries (LDAP entries do not: a token is a bearer secret). */
  carriesInvites: boolean
}

/** Every export format as the Export dialog offers it; the hand-off formats' modules carry the same words. */
export const EXPORT_FORMAT_INFO: Record<ExportFormat, ExportFormatInfo> = {
  csv: {
    label: 'CSV',
    destination: 'A spreadsheet, or any tool that reads CSV (UTF-8)',
    extension: 'csv',
    handoff: false,
    carriesInvites: true
  },
  json: {
    label: 'JSON',
    destination: 'Scripts and tools that read JSON: an array of objects',
    extension: 'json',
    handoff: false,
    carriesInvites: true
  },
  directus: {
    label: 'Directus',
    destination:
      'Directus 12: POST the file to /utils/import?mode=merge as an administrator (roles, policies, access and users in one request)',
    extension: 'json',
    handoff: true,
    carriesInvites: true
  },
  scim: {
    label: 'SCIM 2.0',
    destination: 'An identity provider or app that speaks SCIM 2.0: POST it to its /Bulk endpoint',
    extension: 'json',
    handoff: true,
    carriesInvites: true
  },
  keycloak: {
    label: 'Keycloak',
    destination:
      'Keycloak: Realm settings → Action → Partial import, or POST /admin/realms/{realm}/partialImport (turn on Unmanaged attributes first)',
    extension: 'json',
    handoff: true,
    carriesInvites: true
  },
  ldif: {
    label: 'LDAP (LDIF)',
    destination: 'An LDAP directory (OpenLDAP, 389 DS, …): load it with ldapadd',
    extension: 'ldif',
    handoff: true,
    carriesInvites: false
  }
}

/** Keycloak's partial import: what the server does with users and roles it already has. */
export const KEYCLOAK_IF_EXISTS = ['FAIL', 'SKIP', 'OVERWRITE'] as const
export type KeycloakIfExists = (typeof KEYCLOAK_IF_EXISTS)[number]

/** Invites past their expiry in an export of invites: renewed (as Resend) first, or left out. */
export const EXPIRED_INVITE_CHOICES = ['leave_out', 'renew'] as const
export type ExpiredInviteChoice = (typeof EXPIRED_INVITE_CHOICES)[number]

/** What an export will hold, before it is written: the Export dialog shows it. */
export interface ExportPreview {
  /** Users the file will hold (before leaving anyone out). */
  total: number
  /** Pending invites among them that have expired. */
  expiredInvites: number
  /** What the chosen target will refuse, and why: every one counted, the first ones listed. */
  refusals: { users: number; roles: number; listed: ExportRefusal[] }
  /** The choices remembered from the last export of this database (the LDIF base DN, …). */
  remembered: { ldifBaseDn: string | null; keycloakIfExists: KeycloakIfExists }
}

export interface ExportRefusal {
  kind: 'user' | 'role'
  /** The address or role name. */
  label: string
  reason: string
}

/** Refusals listed in full by `previewExport`; the rest are counted. */
export const EXPORT_REFUSALS_LISTED = 50

/** The columns of every export, in order; JSON objects use the same keys. */
export const INVITE_EXPORT_COLUMNS = [
  'email',
  'first_name',
  'last_name',
  'role',
  'status',
  'invited_at',
  'invite_expires_at',
  'expired',
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
 * Rows a preview lists in full: every row up to `firstRows`, then only rows with a problem or a
 * choice (invalid, duplicate, skipped, several roles), up to `problemRows` more. The counts always cover the whole file, so a 200,000-row
 * preview stays a few hundred kilobytes while every problem the admin must fix is still shown
 * (unless there are more than `problemRows` of them, which `rowsOmitted` then says).
 */
export const IMPORT_PREVIEW_LIMITS = { firstRows: 1000, problemRows: 5000 } as const

export const IMPORT_ROW_OUTCOMES = ['new', 'update', 'unchanged', 'skipped', 'invalid', 'duplicate'] as const
export type ImportRowOutcome = (typeof IMPORT_ROW_OUTCOMES)[number]

/** What an import reads: Rolekeeper's own lists and every hand-off format, recognised from the content. */
export const IMPORT_FORMATS = ['csv', 'json', 'directus', 'scim', 'keycloak', 'ldif'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  csv: 'CSV',
  json: 'Rolekeeper JSON',
  directus: 'Directus',
  scim: 'SCIM 2.0',
  keycloak: 'Keycloak',
  ldif: 'LDAP (LDIF)'
}

/** For a user who holds several roles in the source: which one Rolekeeper keeps (it keeps one). */
export const MULTIPLE_ROLE_RULES = ['first', 'order', 'skip'] as const
export type MultipleRoleRule = (typeof MULTIPLE_ROLE_RULES)[number]

export const IMPORT_FIELDS = ['firstName', 'lastName', 'role', 'status', 'title', 'location', 'description', 'tags'] as const
/** What an import can change on an existing user. */
export type ImportField = (typeof IMPORT_FIELDS)[number]

export interface ImportRow {
  /** The line of the file the row starts on (the header is line 1 in most files). */
  line: number
  /** The fields as written (trimmed); null when empty or when the file does not say. */
  email: string
  firstName: string | null
  lastName: string | null
  /** The role the user gets: its name as the file writes it, or null. */
  role: string | null
  /** The user's other roles in the source, which Rolekeeper does not keep (it keeps one). */
  otherRoles: string[]
  status: string | null
  outcome: ImportRowOutcome
  /** Why the row is invalid, a duplicate, skipped or unchanged; null for new and update. */
  reason: string | null
  /** The existing user the row is about (update, unchanged). */
  userId: string | null
  /** For update: the fields that change. */
  changes: ImportField[]
}

/** A role the file names that the directory does not have yet: the import creates it. */
export interface ImportNewRole {
  name: string
  line: number
  adminAccess: boolean
}

export interface ImportPreview {
  /** The format the file was read as (recognised from its content, or chosen). */
  format: ImportFormat
  /** Data rows in the file. */
  totalRows: number
  counts: Record<ImportRowOutcome, number>
  /** Which header each known column was read from, e.g. `{ email: 'E-mail' }` (CSV). */
  columns: Partial<Record<'email' | ImportField, string>>
  /** Header names that matched no known column and are not read (CSV). */
  ignoredColumns: string[]
  /** Roles the import creates. */
  newRoles: ImportNewRole[]
  /** Users holding several roles in the source; each row names the role kept and the others. */
  multipleRoles: number
  /** The roles users hold together with another, by name: what a role order can rank. */
  rolesInConflict: string[]
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

/** The verification key (a JWKS) saved through the save dialog; `path` and `download` as for an export. */
export interface VerificationKeyOutcome {
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
