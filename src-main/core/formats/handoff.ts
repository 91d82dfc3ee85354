/**
 * The directory as the hand-off formats carry it, in both directions. Every format module under
 * `core/formats/` writes `DirectoryRole`/`DirectoryUser` records out (streaming: a start, batches
 * of users, an end, so a 100,000-user export never sits in memory as one string) and reads a file
 * back into a `SourceDirectory` that the import planner checks against the store.
 *
 * The shapes are the store's own, not any one system's: a format maps them to its system's
 * vocabulary (Directus roles and statuses, SCIM Users and Groups, Keycloak realm roles, LDAP
 * entries) and back. What a system has no field for travels in Rolekeeper's own extension of
 * that format (a SCIM extension schema, Keycloak attributes, …) so that exporting a directory and
 * importing the file into an empty database reproduces it exactly.
 */
import type { UserStatus } from '../model'

// ---------------------------------------------------------------------------------------------
// Writing

export interface DirectoryRole {
  id: string
  name: string
  icon: string
  description: string | null
  adminAccess: boolean
  appAccess: boolean
  ipAccess: string[]
  enforceTfa: boolean
}

/** A pending invite, as of the moment of the export. */
export interface DirectoryInvite {
  /** The invite's compact JWT (EdDSA), verifiable with the exported JWKS. */
  token: string
  /** The link built from the invite URL template; null without a template (only the token goes out). */
  link: string | null
  /** The invite's nonce, the token's `jti`: a verifier accepts only the latest one per user. */
  jti: string
  invitedAt: string
  expiresAt: string
  /** Expired when the export was made: such an invite is never passed off as pending. */
  expired: boolean
  /** A link in Directus's own invite format, when a Directus target is set (Directus format only). */
  directusLink: string | null
}

export interface DirectoryUser {
  id: string
  email: string
  firstName: string | null
  lastName: string | null
  status: UserStatus
  /** null: Public (no role). */
  roleId: string | null
  title: string | null
  location: string | null
  description: string | null
  tags: string[]
  createdAt: string
  /** Set for users who are `invited` with a current invite. */
  invite: DirectoryInvite | null
}

export interface HandoffOptions {
  /** LDIF: the base DN the entries go under, e.g. `dc=example,dc=org`. */
  baseDn: string
  /** Keycloak partial import: what the server does with users and roles that already exist. */
  ifResourceExists: 'FAIL' | 'SKIP' | 'OVERWRITE'
}

/** What a writer knows before the first user. */
export interface HandoffContext {
  /**
   * The roles the file carries: every role an exported user holds, and for a whole-directory
   * export every role (members or not). Users whose `roleId` is not among them are Public.
   */
  roles: readonly DirectoryRole[]
  /** The stable id of this directory, `urn:rolekeeper:<uuid>`: the invite tokens' issuer. */
  directoryId: string
  /** When the export was made (ISO-8601). */
  exportedAt: string
  options: HandoffOptions
}

/** A streaming writer. Its text, joined in order, is the file. */
export interface HandoffWriter {
  start(): string
  users(batch: readonly DirectoryUser[]): string
  end(): string
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A role as a source file describes it. */
export interface SourceRole {
  /** How the file's users refer to the role: its id, its name or its DN, as the format does. */
  ref: string
  /** The role's id when the file carries one (Rolekeeper and Directus ids are UUIDs). */
  id: string | null
  name: string
  /** Role fields the file carries; undefined: the file does not say. */
  icon?: string
  description?: string | null
  adminAccess?: boolean
  appAccess?: boolean
  ipAccess?: string[]
  enforceTfa?: boolean
  /** The line the role's entry starts on (1-based). */
  line: number
}

/** A user as a source file describes them. Undefined fields: the file does not say. */
export interface SourceUser {
  /** The line the user's entry starts on (1-based). */
  line: number
  /** The user's id when the file carries one (Rolekeeper, Directus, SCIM externalId, …). */
  id: string | null
  /** As written (trimmed); the planner checks and normalises it. */
  email: string
  firstName?: string | null
  lastName?: string | null
  /** A Rolekeeper status word as the format maps it; the planner rejects anything else. */
  status?: string
  /** The `ref`s of the roles the user holds, in the order the file lists them. */
  roles: string[]
  title?: string | null
  location?: string | null
  description?: string | null
  tags?: string[]
  /** What the format found wrong with an entry it could still read: the row is invalid, with its fields shown. */
  problems?: string[]
}

/** An entry that could not be read at all: it becomes one invalid row, never a failed file. */
export interface SourceProblem {
  line: number
  reason: string
}

export interface SourceDirectory {
  roles: SourceRole[]
  users: SourceUser[]
  problems: SourceProblem[]
}

// ---------------------------------------------------------------------------------------------
// A format

export const HANDOFF_FORMAT_IDS = ['directus', 'scim', 'keycloak', 'ldif'] as const
export type HandoffFormatId = (typeof HANDOFF_FORMAT_IDS)[number]

export interface HandoffFormat {
  id: HandoffFormatId
  /** The name in the Export dialog: "Directus", "SCIM 2.0", "Keycloak", "LDAP (LDIF)". */
  label: string
  /** One line saying where the file goes, shown under the format in the Export dialog. */
  destination: string
  extension: string
  mimeType: string
  writer(context: HandoffContext): HandoffWriter
  /** Why the target system will refuse this user, or null. */
  refuseUser(user: DirectoryUser): string | null
  /** Why the target system will refuse this role given its members in the file, or null. */
  refuseRole(role: DirectoryRole, membersInFile: number): string | null
  /** Whether the text looks like a file of this format (checked on its first kilobytes). */
  recognise(head: string): boolean
  read(text: string): SourceDirectory
}
