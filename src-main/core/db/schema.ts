import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'
import type { ActivityCollection, UserStatus } from '../model'

/** SQLite keeps booleans as 0/1 integers. */
export type SqlBoolean = 0 | 1
/** ISO-8601 UTC timestamps, stored as text. */
export type Timestamp = string
/** A JSON document stored as text (string lists, before/after snapshots). */
export type JsonText = string

/** A JSON list of strings as stored (tags, IP ranges); anything else reads as empty. */
export function parseStringList(json: JsonText): string[] {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return []
  }
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

export interface RolesTable {
  id: string
  name: string
  /** The name lower-cased: unique, so names are unique ignoring case. */
  name_key: string
  icon: string
  description: string | null
  admin_access: SqlBoolean
  app_access: SqlBoolean
  /** JSON array of IPv4/IPv6 addresses or CIDR ranges. */
  ip_access: JsonText
  enforce_tfa: SqlBoolean
  created_at: Timestamp
  updated_at: Timestamp
}

export interface UsersTable {
  /** SQLite's rowid, named: the full-text index refers to users by it. */
  rowid: Generated<number>
  id: string
  email: string
  /** Normalised address: lower-cased, domain in ASCII (punycode). Unique. */
  email_key: string
  first_name: string | null
  last_name: string | null
  status: UserStatus
  role_id: string | null
  /**
   * The role the role-ordered indexes file the user under: `role_id`, except after a change set
   * until the background catches it up (core/role-index.ts). Never read as the user's role.
   */
  indexed_role_id: ColumnType<string | null, string | null | undefined, string | null>
  /** `scrypt$N$r$p$salt$hash` (base64), or null. */
  password_hash: string | null
  title: string | null
  location: string | null
  description: string | null
  /** JSON array of strings. */
  tags: JsonText
  invited_at: Timestamp | null
  invite_expires_at: Timestamp | null
  /**
   * Random per-invite value, the token's `jti`; replaced on re-invite and cleared on revoke,
   * accept or leaving `invited`, which kills every earlier token.
   */
  invite_nonce: string | null
  /**
   * The pending invite's token signature, sealed (invite-token-cache.ts): a 96-bit nonce and the
   * 64-byte Ed25519 signature encrypted under a key derived from the signing key. Cleared by a
   * trigger whenever a claim changes. Useless without the key file.
   */
  invite_token_seal: Buffer | null
  created_at: Timestamp
  updated_at: Timestamp
  last_changed_by: string | null
  /** Generated: the display name lower-cased, or the email key when there is no name. */
  sort_name: ColumnType<string, never, never>
}

export interface SettingsTable {
  key: string
  value: JsonText
}

export interface ActivityTable {
  id: Generated<number>
  at: Timestamp
  actor: string
  action: string
  collection: ActivityCollection
  /** JSON array of record ids. */
  record_ids: JsonText
  summary: string
  before: JsonText | null
  after: JsonText | null
}

/** One row per (activity, record): lets the log be filtered by record. */
export interface ActivityRecordsTable {
  activity_id: number
  record_id: string
}

/** Member counts per (role, status), kept by triggers so lists stay O(roles) at 1,000,000 users. */
export interface UserCountsTable {
  /** The role id, or '' for users without a role. */
  role_key: string
  status: UserStatus
  n: number
}

/** One row: this directory's identity and the state of the token cache. */
export interface DirectoryTable {
  id: 1
  /** `urn:rolekeeper:<uuid>`, made once: the `iss` of every invite token. */
  issuer: string
  /** The `kid` of the key the cached token signatures are sealed under. */
  token_cache_kid: string | null
}

export interface Database {
  roles: RolesTable
  users: UsersTable
  settings: SettingsTable
  activity: ActivityTable
  activity_records: ActivityRecordsTable
  user_counts: UserCountsTable
  directory: DirectoryTable
}

export type RoleRow = Selectable<RolesTable>
export type NewRoleRow = Insertable<RolesTable>
export type RoleRowUpdate = Updateable<RolesTable>
export type UserRow = Selectable<UsersTable>
export type NewUserRow = Insertable<UsersTable>
export type UserRowUpdate = Updateable<UsersTable>
export type ActivityRow = Selectable<ActivityTable>
export type UserCountRow = Selectable<UserCountsTable>
export type SettingRow = Selectable<SettingsTable>
