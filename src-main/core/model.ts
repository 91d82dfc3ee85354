/**
 * The shapes that cross the boundary between the store and everything that shows it.
 * Plain types and constants only: the renderer type-checks against this file, so it must not
 * import anything that needs Node.
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
