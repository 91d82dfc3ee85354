/**
 * Rolekeeper's own list vocabulary, shared by its CSV and JSON files: the columns an invite list
 * or a user export carries and how a `DirectoryUser` fills them. CSV and JSON differ only in
 * the envelope (quoting, a BOM, an array of objects), so the mapping lives once, here, for both
 * directions.
 */
import { INVITE_EXPORT_COLUMNS, USER_EXPORT_COLUMNS, type ExportColumn } from '../model'
import type { DirectoryRole, DirectoryUser } from './handoff'

/** One exported row: `tags` is a list, `expired` a boolean, every other column text or null. */
export type ListRecord = Partial<Record<ExportColumn, string | string[] | boolean | null>>

/** Which columns a list carries: an invite list's, or a user export's (with the profile). */
export type ListKind = 'invites' | 'users'

export const columnsOf = (kind: ListKind): readonly ExportColumn[] => (kind === 'invites' ? INVITE_EXPORT_COLUMNS : USER_EXPORT_COLUMNS)

/** The role names of a file, by role id. */
export function roleNames(roles: readonly DirectoryRole[]): Map<string, string> {
  return new Map(roles.map((role) => [role.id, role.name]))
}

/** A user as a list row; the invite columns are filled for a pending invite only. */
export function listRecord(user: DirectoryUser, names: ReadonlyMap<string, string>): ListRecord {
  const { invite } = user
  return {
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    role: user.roleId === null ? null : (names.get(user.roleId) ?? null),
    status: user.status,
    invited_at: invite?.invitedAt ?? null,
    invite_expires_at: invite?.expiresAt ?? null,
    // So an expired invite is never taken for a pending one.
    expired: invite === null ? null : invite.expired,
    // The link from the URL template, or the bare token when there is no template.
    invite_link: invite === null ? null : (invite.link ?? invite.token),
    title: user.title,
    location: user.location,
    description: user.description,
    tags: user.tags,
    created_at: user.createdAt
  }
}
