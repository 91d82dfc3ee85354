/**
 * An activity entry's before and after, in words: one row per changed field with its label and
 * its old and new value, counts where an entry names many users, and nothing for parts that are
 * empty. Names come from the entry itself (the core keeps a role's name beside its id, as it was
 * then); entries written before it did fall back to the role's name today.
 *
 * The entry shapes are the core's `recordActivity` calls (roles, changeset, users, invites,
 * settings, import); an action this does not know still reads as labelled fields, never as JSON.
 */
import type { ActivityEntry, UserStatus } from '../../src-main/ipc/contract'
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, USER_STATUSES } from '../../src-main/core/model'
import { plural, STATUS_LABELS } from './format'

/** A field that changed (`before` → `after`), or one value of a creation, deletion or count (`value`). */
export type DetailRow = { label: string; before: string; after: string } | { label: string; value: string }

/** The current name of a role id, for entries that did not keep it; null when it is gone. */
export type RoleNameLookup = (roleId: string) => string | null

type Fields = Record<string, unknown>

const NONE = '—'
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
const MAX_LIST = 5

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value)
const fieldsOf = (value: unknown): Fields => (isFields(value) ? value : {})
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const statusOf = (value: unknown): UserStatus | null => USER_STATUSES.find((status) => status === value) ?? null

const LABELS: Record<string, string> = {
  name: 'Name',
  icon: 'Icon',
  description: 'Description',
  adminAccess: 'Admin access',
  appAccess: 'App access',
  ipAccess: 'IP allow-list',
  enforceTfa: 'Enforce 2FA',
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  status: 'Status',
  roleName: 'Role',
  hasPassword: 'Password',
  title: 'Title',
  location: 'Location',
  tags: 'Tags',
  invitedAt: 'Invited',
  inviteExpiresAt: 'Invite expires',
  inviteUrlTemplate: 'Invite URL template',
  inviteLifetimeDays: 'Invite lifetime',
  passwordPolicy: 'Password policy',
  theme: 'Theme'
}

/** Bookkeeping every record carries; a change of it says nothing to an administrator. */
const HIDDEN = new Set(['id', 'createdAt', 'updatedAt', 'lastChangedBy', 'roleId', 'passwordPolicyText'])

/** `inviteExpiresAt` → `Invite expires at`, for fields without a label of their own. */
const labelOf = (field: string): string =>
  LABELS[field] ??
  field
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase())

const POLICY_WORDS: Record<string, string> = {
  none: 'No rule',
  min8: 'At least 8 characters',
  strong: 'Strong',
  custom: 'A custom pattern'
}

/** A value as an administrator reads it. */
function readable(field: string, value: unknown): string {
  if (value === undefined || value === null || value === '') {
    if (field === 'inviteUrlTemplate') return 'None (bare tokens)'
    return NONE
  }
  const status = field === 'status' ? statusOf(value) : null
  if (field === 'status') return status ? STATUS_LABELS[status] : String(value)
  if (field === 'hasPassword') return value === true ? 'Set' : 'None'
  if (field === 'inviteLifetimeDays' && typeof value === 'number') return plural(value, 'day', 'days')
  if (field === 'theme' && typeof value === 'string') return value.charAt(0).toUpperCase() + value.slice(1)
  if (field === 'passwordPolicy' && isFields(value)) {
    const words = POLICY_WORDS[String(value.kind)] ?? String(value.kind)
    return value.kind === 'custom' && typeof value.pattern === 'string' ? `${words}: ${value.pattern}` : words
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'number') return value.toLocaleString()
  if (typeof value === 'string') return ISO_TIME.test(value) ? timeFormat.format(new Date(value)) : value
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)'
    if (value.every((item) => typeof item === 'string' || typeof item === 'number'))
      return shortList(value.map((item) => readable(field, item)))
    return plural(value.length, 'item', 'items')
  }
  if (isFields(value)) {
    const parts = Object.entries(value)
      .filter(([key, inner]) => !HIDDEN.has(key) && inner !== null && inner !== undefined)
      .map(([key, inner]) => `${labelOf(key)}: ${readable(key, inner)}`)
    return parts.length > 0 ? parts.join('; ') : NONE
  }
  return String(value)
}

function shortList(items: string[]): string {
  if (items.length <= MAX_LIST) return items.join(', ')
  return `${items.slice(0, MAX_LIST).join(', ')} and ${(items.length - MAX_LIST).toLocaleString()} more`
}

/** A role's name as the entry kept it; else its name today; else that it is gone. */
function roleName(name: unknown, roleId: unknown, lookup: RoleNameLookup): string {
  if (typeof name === 'string') return name
  if (roleId === null || (name === null && roleId === undefined)) return 'Public'
  if (typeof roleId === 'string') return lookup(roleId) ?? 'a role since deleted'
  return 'Public'
}

/** The fields whose value differs, labelled; a role id only when its name was not kept beside it. */
function changedFields(before: Fields, after: Fields, lookup: RoleNameLookup): DetailRow[] {
  const rows: DetailRow[] = []
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  for (const key of keys) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue
    if (key === 'roleId') {
      if ('roleName' in before || 'roleName' in after) continue
      rows.push({ label: 'Role', before: roleName(undefined, before.roleId, lookup), after: roleName(undefined, after.roleId, lookup) })
      continue
    }
    if (HIDDEN.has(key)) continue
    if (key === 'roleName') {
      rows.push({
        label: 'Role',
        before: roleName(before.roleName, before.roleId, lookup),
        after: roleName(after.roleName, after.roleId, lookup)
      })
      continue
    }
    const words = key === 'passwordPolicy' ? policyWords(before, after) : null
    rows.push({
      label: labelOf(key),
      before: words?.before ?? readable(key, before[key]),
      after: words?.after ?? readable(key, after[key])
    })
  }
  return rows
}

/** A password policy in the words the admin read when it changed, where the entry kept them. */
function policyWords(before: Fields, after: Fields): { before: string; after: string } | null {
  const left = textOf(before.passwordPolicyText)
  const right = textOf(after.passwordPolicyText)
  if (left === null || right === null) return null
  return { before: left, after: right }
}

/** The fields of something created or deleted, each with its value; empty ones left out. */
function presentFields(fields: Fields, lookup: RoleNameLookup): DetailRow[] {
  const rows: DetailRow[] = []
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'roleName') {
      rows.push({ label: 'Role', value: roleName(value, fields.roleId, lookup) })
      continue
    }
    if (HIDDEN.has(key) || value === null || value === undefined || value === '') continue
    if (Array.isArray(value) && value.length === 0) continue
    if (key === 'hasPassword' && value !== true) continue
    rows.push({ label: labelOf(key), value: readable(key, value) })
  }
  if (!('roleName' in fields) && 'roleId' in fields) rows.push({ label: 'Role', value: roleName(undefined, fields.roleId, lookup) })
  return rows
}

const count = (label: string, n: number, detail?: string): DetailRow[] =>
  n > 0 ? [{ label, value: detail ? `${plural(n, 'user', 'users')} (${detail})` : plural(n, 'user', 'users') }] : []

/** Users grouped by the role (or status) they had: "2 from Sales, 1 from Public". */
function groupWords(groups: Array<{ name: string; n: number }>, joiner: string): string {
  return groups
    .sort((a, b) => b.n - a.n)
    .map((group) => `${group.n.toLocaleString()} ${joiner} ${group.name}`)
    .join(', ')
}

function roleSaveRows(before: Fields, after: Fields, lookup: RoleNameLookup): DetailRow[] {
  const rows = changedFields(fieldsOf(before.role), fieldsOf(after.role), lookup)
  rows.push(...count('Members created', listOf(after.created).length))
  const moved = new Map<string, number>()
  for (const previous of Object.values(fieldsOf(before.added))) {
    const { roleId, roleName: kept } = fieldsOf(previous)
    const name = roleName(kept, roleId ?? null, lookup)
    moved.set(name, (moved.get(name) ?? 0) + 1)
  }
  const origins = groupWords(
    [...moved].map(([name, n]) => ({ name, n })),
    'from'
  )
  rows.push(...count('Members added', listOf(after.added).length, origins || undefined))
  rows.push(...count('Members removed', listOf(after.removed).length))
  return rows
}

function bulkRows(before: Fields, after: Fields, users: number, lookup: RoleNameLookup): DetailRow[] {
  const rows: DetailRow[] = [{ label: 'Users', value: plural(users, 'user', 'users') }]
  if ('roleId' in after) {
    const names = fieldsOf(before.roleNames)
    const groups = Object.entries(fieldsOf(before.roleId)).map(([roleId, ids]) => ({
      name: roleId === 'null' ? 'Public' : roleName(names[roleId], roleId, lookup),
      n: listOf(ids).length
    }))
    rows.push({ label: 'Role', before: groupWords(groups, 'in') || NONE, after: roleName(after.roleName, after.roleId, lookup) })
  } else if ('status' in after) {
    const groups = Object.entries(fieldsOf(before.status)).map(([status, ids]) => ({
      name: readable('status', status),
      n: listOf(ids).length
    }))
    rows.push({ label: 'Status', before: groupWords(groups, 'were') || NONE, after: readable('status', after.status) })
  }
  return rows
}

function deleteRows(before: Fields): DetailRow[] {
  const users = listOf(before.users).map(fieldsOf)
  const total = typeof before.count === 'number' ? before.count : users.length
  const emails = users.map((user) => textOf(user.email)).filter((email): email is string => email !== null)
  return [
    { label: 'Users deleted', value: plural(total, 'user', 'users') },
    ...(emails.length > 0
      ? [{ label: 'Who', value: shortList(emails) + (total > emails.length ? ` (of ${total.toLocaleString()})` : '') }]
      : [])
  ]
}

function roleDeleteRows(before: Fields, after: Fields, lookup: RoleNameLookup): DetailRow[] {
  const role = fieldsOf(before.role)
  const members = listOf(before.members).length
  const rows: DetailRow[] = []
  if (typeof role.name === 'string') rows.push({ label: 'Role', value: role.name })
  if (members > 0) {
    const where =
      typeof after.roleId === 'string' ? `moved to ${roleName(after.roleName, after.roleId, lookup)}` : 'now Public and suspended'
    rows.push({ label: 'Members', value: `${plural(members, 'user', 'users')}, ${where}` })
  }
  return rows
}

function inviteRows(after: Fields, lookup: RoleNameLookup): DetailRow[] {
  return [
    { label: 'Role', value: roleName(after.roleName, after.roleId ?? null, lookup) },
    ...count('Invited', typeof after.invited === 'number' ? after.invited : 0),
    ...count('Re-invited', typeof after.reinvited === 'number' ? after.reinvited : 0),
    ...(after.inviteExpiresAt ? [{ label: 'Invite expires', value: readable('inviteExpiresAt', after.inviteExpiresAt) }] : [])
  ]
}

function importRows(after: Fields): DetailRow[] {
  const options = fieldsOf(after.options)
  const created = typeof after.created === 'number' ? after.created : 0
  const updated = typeof after.total === 'number' ? after.total : listOf(after.updated).length
  const roles = listOf(after.createdRoles)
    .map((role) => textOf(fieldsOf(role).name))
    .filter((name): name is string => name !== null)
  return [
    ...count('New users', created),
    ...count('Updated users', updated),
    ...(roles.length > 0 ? [{ label: 'New roles', value: shortList(roles) }] : []),
    ...(options.existing ? [{ label: 'Existing users', value: options.existing === 'update' ? 'Updated' : 'Left as they were' }] : []),
    ...(options.newUsersAs ? [{ label: 'New users as', value: readable('status', options.newUsersAs) }] : [])
  ]
}

/** What an export held, in the words of the dialog it was made from. */
function scopeWords(scope: Fields, lookup: RoleNameLookup): string {
  switch (scope.kind) {
    case 'roleInvites':
      return `The pending invites of ${roleName(undefined, scope.roleId ?? null, lookup)}`
    case 'allInvites':
      return 'Every pending invite'
    case 'inviteBatch':
      return `An invite batch of ${plural(listOf(scope.userIds).length, 'user', 'users')}`
    case 'users': {
      const selection = fieldsOf(scope.selection)
      if ('ids' in selection) return `${plural(listOf(selection.ids).length, 'chosen user', 'chosen users')}`
      return Object.keys(fieldsOf(selection.filter)).length === 0 ? 'The whole directory' : 'The users a filter showed'
    }
    default:
      return readable('scope', scope)
  }
}

function formatLabel(format: string): string {
  const known = EXPORT_FORMATS.find((candidate) => candidate === format)
  return known ? EXPORT_FORMAT_INFO[known].label : format
}

function exportRows(after: Fields, lookup: RoleNameLookup): DetailRow[] {
  const renewed = typeof after.renewedExpiredInvites === 'number' ? after.renewedExpiredInvites : 0
  return [
    ...(typeof after.format === 'string' ? [{ label: 'Format', value: formatLabel(after.format) }] : []),
    ...(isFields(after.scope) ? [{ label: 'What', value: scopeWords(after.scope, lookup) }] : []),
    ...(typeof after.rows === 'number' ? [{ label: 'Rows', value: plural(after.rows, 'row', 'rows') }] : []),
    ...(renewed > 0 ? [{ label: 'Expired invites renewed', value: renewed.toLocaleString() }] : []),
    ...(after.leftOutRefused === true ? [{ label: 'Refused users', value: 'Left out' }] : [])
  ]
}

/** The rows that tell what an entry changed; empty when it kept no details. */
export function detailRowsOf(entry: ActivityEntry, lookup: RoleNameLookup): DetailRow[] {
  const before = fieldsOf(entry.before)
  const after = fieldsOf(entry.after)
  switch (entry.action) {
    case 'role.create':
    case 'user.create':
      return presentFields(after, lookup)
    case 'role.save':
      return roleSaveRows(before, after, lookup)
    case 'role.delete':
      return roleDeleteRows(before, after, lookup)
    case 'user.bulk_update':
      return bulkRows(before, after, entry.recordIds.length, lookup)
    case 'user.delete':
      return deleteRows(before)
    case 'user.invite':
      return inviteRows(after, lookup)
    case 'user.import':
      return importRows(after)
    case 'user.export':
      return exportRows(after, lookup)
    default:
      if (entry.before === null || entry.before === undefined) return presentFields(after, lookup)
      if (entry.after === null || entry.after === undefined) return presentFields(before, lookup)
      return changedFields(before, after, lookup)
  }
}
