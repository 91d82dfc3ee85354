/**
 * Directus 12 (checked against 12.4.0, whose API is `@directus/api` 39.2), both directions.
 *
 * Writing. Since Directus 11 a role holds no access of its own: `admin_access`, `app_access`,
 * `ip_access` and `enforce_tfa` live on a policy (`directus_policies`) that `directus_access`
 * links to the role. So a Rolekeeper role becomes three records, the way Directus's own
 * migration `20240806A-permissions-policies` converted its roles: the role, a policy with the
 * role's id and access, and an access row joining them. 12.4 imports several collections in one
 * request: `POST /utils/import` takes `[{ collection, items }]`, orders the collections by their
 * foreign keys and writes them in one transaction. Our file is exactly that body, users last so
 * that they can stream. Post it with `?mode=merge`: without it (mode `add`) Directus gives a
 * record whose id already exists a new random id, and our ids would not survive a second import.
 * The same items, one collection per file, suit `POST /utils/import/<collection>` (roles, then
 * policies, then access, then users), which upserts each item by its id.
 *
 * Directus has no field for an invite link; one stored on a user would also be copied into
 * `directus_revisions`. So links in Directus's own invite format go in `rolekeeper_invites`
 * beside the users' `items`: the import endpoint's schema drops keys it does not know.
 *
 * Reading takes what Directus writes (`GET /users?export=json|csv`, `GET /roles?export=json`, the
 * Data Studio's export), our own bundle, an object keyed by collection name, or several of these
 * JSON files joined end to end; collections are told apart by their fields. Directus exports one
 * collection per file, so `readDirectusFiles` takes several (users as CSV, roles as JSON…) and
 * keeps each entry's line in its own file. A user's `role` is a role id; a role the file does not
 * describe stays a bare ref (an id or a name) for the planner to match against the store. Statuses
 * pass as they are, Directus's own `unverified` and `inactive-license` too: the planner says no.
 */
import { createHash } from 'node:crypto'
import { analyzeEmail } from '@hapi/address'
import { tlds } from '@hapi/tlds'
import { parse as parseCsv } from 'csv-parse/sync'
import type {
  DirectoryRole,
  DirectoryUser,
  HandoffContext,
  HandoffFormat,
  HandoffWriter,
  SourceDirectory,
  SourceProblem,
  SourceRole,
  SourceUser
} from './handoff'
import { isRecord, parseLocatedJson } from './located-json'

export const DIRECTUS_COLLECTIONS = ['directus_roles', 'directus_policies', 'directus_access', 'directus_users'] as const
export type DirectusCollection = (typeof DIRECTUS_COLLECTIONS)[number]

// ---------------------------------------------------------------------------------------------
// Directus's records

export interface DirectusRoleItem {
  id: string
  name: string
  icon: string
  description: string | null
}

export interface DirectusPolicyItem {
  id: string
  name: string
  icon: string
  description: string | null
  admin_access: boolean
  app_access: boolean
  /** A `cast-csv` field: Directus joins the list with commas and exports it as a list again. */
  ip_access: string[] | null
  enforce_tfa: boolean
}

export interface DirectusAccessItem {
  id: string
  role: string
  user: null
  policy: string
  sort: number
}

export interface DirectusUserItem {
  id: string
  email: string
  first_name: string | null
  last_name: string | null
  status: DirectoryUser['status']
  role: string | null
  title: string | null
  location: string | null
  description: string | null
  tags: string[] | null
}

/** A link for one invited user, in Directus's invite format. */
export interface DirectusInviteEntry {
  id: string
  email: string
  link: string
  expires_at: string
  expired: boolean
}

/** Column sizes of `directus_users` / `directus_roles` (seeds `02-roles.yaml`, `03-users.yaml`, migration `20210903A`). */
export const DIRECTUS_LIMITS = { email: 128, firstName: 50, lastName: 50, title: 50, location: 255, roleName: 100, roleIcon: 30 } as const

/** The access row of a role's policy: a stable id (a name-based UUID), so a second import updates it. */
export function directusAccessId(roleId: string): string {
  const hex = createHash('sha1').update(`rolekeeper:directus_access:${roleId}`).digest('hex')
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

export function directusRoleItem(role: DirectoryRole): DirectusRoleItem {
  return { id: role.id, name: role.name, icon: role.icon, description: role.description }
}

export function directusPolicyItem(role: DirectoryRole): DirectusPolicyItem {
  return {
    id: role.id,
    name: role.name,
    icon: role.icon,
    description: role.description,
    admin_access: role.adminAccess,
    app_access: role.appAccess,
    ip_access: role.ipAccess.length > 0 ? [...role.ipAccess] : null,
    enforce_tfa: role.enforceTfa
  }
}

export function directusAccessItem(role: DirectoryRole): DirectusAccessItem {
  return { id: directusAccessId(role.id), role: role.id, user: null, policy: role.id, sort: 1 }
}

export function directusUserItem(user: DirectoryUser, roleIds: ReadonlySet<string>): DirectusUserItem {
  return {
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    status: user.status,
    role: user.roleId !== null && roleIds.has(user.roleId) ? user.roleId : null,
    title: user.title,
    location: user.location,
    description: user.description,
    // Directus leaves an untagged user's tags null.
    tags: user.tags.length > 0 ? user.tags : null
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

const itemLines = (items: readonly unknown[]): string => items.map((item) => JSON.stringify(item)).join(',\n')

const entry = (collection: DirectusCollection, items: readonly unknown[]): string =>
  `{"collection":${JSON.stringify(collection)},"items":[${items.length > 0 ? `\n${itemLines(items)}\n` : ''}]}`

/** One collection's items as the file `POST /utils/import/<collection>` takes (a JSON array). */
export function directusCollectionFile(collection: Exclude<DirectusCollection, 'directus_users'>, context: HandoffContext): string {
  const make = { directus_roles: directusRoleItem, directus_policies: directusPolicyItem, directus_access: directusAccessItem }[collection]
  const items = context.roles.map((role) => make(role))
  return items.length > 0 ? `[\n${itemLines(items)}\n]\n` : '[]\n'
}

/** The users as the file `POST /utils/import/directus_users` takes, streamed. */
export function directusUsersWriter(context: HandoffContext): HandoffWriter {
  const roleIds = new Set(context.roles.map((role) => role.id))
  let count = 0
  return {
    start: () => '[',
    users(batch) {
      if (batch.length === 0) return ''
      const text = `${count > 0 ? ',' : ''}\n${itemLines(batch.map((user) => directusUserItem(user, roleIds)))}`
      count += batch.length
      return text
    },
    end: () => (count > 0 ? '\n]\n' : ']\n')
  }
}

/** The bundle: the body of `POST /utils/import?mode=merge`, every collection in one request. */
function bundleWriter(context: HandoffContext): HandoffWriter {
  const roleIds = new Set(context.roles.map((role) => role.id))
  // Invites are few beside users; kept as compact JSON until the users' items are closed.
  const invites: string[] = []
  let count = 0
  return {
    start: () =>
      [
        '[',
        `${entry('directus_roles', context.roles.map(directusRoleItem))},`,
        `${entry('directus_policies', context.roles.map(directusPolicyItem))},`,
        `${entry('directus_access', context.roles.map(directusAccessItem))},`,
        '{"collection":"directus_users","items":['
      ].join('\n'),
    users(batch) {
      if (batch.length === 0) return ''
      const items: string[] = []
      for (const user of batch) {
        items.push(JSON.stringify(directusUserItem(user, roleIds)))
        const link = user.invite?.directusLink
        if (user.invite && link) {
          const invite: DirectusInviteEntry = {
            id: user.id,
            email: user.email,
            link,
            expires_at: user.invite.expiresAt,
            expired: user.invite.expired
          }
          invites.push(JSON.stringify(invite))
        }
      }
      const text = `${count > 0 ? ',' : ''}\n${items.join(',\n')}`
      count += batch.length
      return text
    },
    end() {
      const close = count > 0 ? '\n]' : ']'
      const links = invites.length > 0 ? `,"rolekeeper_invites":[\n${invites.join(',\n')}\n]` : ''
      return `${close}${links}}\n]\n`
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What Directus refuses

const EMAIL_REASONS: Record<string, string> = {
  DOMAIN_FORBIDDEN_TLDS:
    'its top-level domain is not in the IANA list Directus checks (reserved names such as .test, .example, .invalid, .localhost are not)',
  DOMAIN_SEGMENTS_COUNT: 'its domain needs at least two parts (name.tld)',
  DOMAIN_INVALID_CHARS: 'its domain holds a character Directus does not allow (letters, digits and inner hyphens only; no underscore)',
  DOMAIN_INVALID_TLDS_CHARS: 'its top-level domain must start with a letter and hold only letters, digits and inner hyphens',
  DOMAIN_LONG_SEGMENT: 'a part of its domain is longer than 63 characters',
  DOMAIN_EMPTY_SEGMENT: 'its domain has an empty part',
  DOMAIN_TOO_LONG: 'its domain is longer than 256 characters',
  LOCAL_TOO_LONG: 'the part before @ is longer than 64 bytes',
  ADDRESS_TOO_LONG: 'it is longer than 254 characters',
  EMPTY_LOCAL_SEGMENT: 'the part before @ has an empty dot-separated part',
  INVALID_LOCAL_CHARS: 'the part before @ holds a character Directus does not allow',
  MULTIPLE_AT_CHAR: 'it holds more than one @'
}

/**
 * Directus 12.4 checks every address it creates or updates with `Joi.string().email()`
 * (`UsersService.validateEmail`, `@directus/api` 39.2 `services/users.js`), which is Joi 18's
 * `@hapi/address` 5.1 `isEmailValid` with the top-level domains of `@hapi/tlds` 1.1 as an
 * allow-list. We run the same library with the same list, so the verdict is Directus's own.
 */
export function directusEmailProblem(email: string): string | null {
  const result = analyzeEmail(email, { tlds: { allow: tlds } })
  if (result === null) return null
  return `Directus refuses this address: ${EMAIL_REASONS[result.code] ?? result.error}`
}

const tooLong = (value: string | null, limit: number): boolean => value !== null && value.length > limit

function refuseUser(user: DirectoryUser): string | null {
  const email = directusEmailProblem(user.email)
  if (email !== null) return email
  if (user.email.length > DIRECTUS_LIMITS.email) return `Directus stores at most ${DIRECTUS_LIMITS.email} characters of an address`
  if (tooLong(user.firstName, DIRECTUS_LIMITS.firstName))
    return `Directus stores at most ${DIRECTUS_LIMITS.firstName} characters of a first name`
  if (tooLong(user.lastName, DIRECTUS_LIMITS.lastName))
    return `Directus stores at most ${DIRECTUS_LIMITS.lastName} characters of a last name`
  if (tooLong(user.title, DIRECTUS_LIMITS.title)) return `Directus stores at most ${DIRECTUS_LIMITS.title} characters of a title`
  if (tooLong(user.location, DIRECTUS_LIMITS.location))
    return `Directus stores at most ${DIRECTUS_LIMITS.location} characters of a location`
  return null
}

function refuseRole(role: DirectoryRole): string | null {
  if (role.name.length > DIRECTUS_LIMITS.roleName) return `Directus stores at most ${DIRECTUS_LIMITS.roleName} characters of a role name`
  if (role.icon.length > DIRECTUS_LIMITS.roleIcon)
    return `Directus stores at most ${DIRECTUS_LIMITS.roleIcon} characters of a role icon ("${role.icon}")`
  return null
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Entry {
  value: unknown
  line: number
  /** False when a syntax error cut the entry short. */
  complete: boolean
}

type Collected = Record<DirectusCollection, Entry[]>

/** Which collection a standalone export holds, told by the fields Directus gives each. */
function collectionOf(item: Record<string, unknown>): DirectusCollection | null {
  if ('email' in item) return 'directus_users'
  if ('policy' in item) return 'directus_access'
  if ('admin_access' in item || 'app_access' in item) {
    // Directus 10 kept access on the role, whose export lists its users; a policy lists roles.
    return 'users' in item && !('roles' in item) && !('permissions' in item) ? 'directus_roles' : 'directus_policies'
  }
  if ('name' in item) return 'directus_roles'
  return null
}

const isCollection = (name: unknown): name is DirectusCollection => DIRECTUS_COLLECTIONS.some((collection) => collection === name)

function readJson(text: string, problems: SourceProblem[]): Collected {
  const json = parseLocatedJson(text)
  if (json.problem !== null) problems.push(json.problem)
  const collected: Collected = { directus_roles: [], directus_policies: [], directus_access: [], directus_users: [] }
  const add = (collection: DirectusCollection, items: readonly unknown[]): void => {
    const lines = json.elementLines(items)
    items.forEach((value, index) => collected[collection].push({ value, line: lines[index] ?? 0, complete: json.isComplete(value) }))
  }
  const addExport = (items: readonly unknown[], line: number): void => {
    const first = items.find(isRecord)
    if (first === undefined) {
      if (items.length > 0) problems.push({ line, reason: 'A list that holds no Directus records' })
      return
    }
    const kind = collectionOf(first)
    if (kind === null) problems.push({ line, reason: 'A list of records that are neither Directus users nor roles' })
    else add(kind, items)
  }

  for (const value of json.values) {
    const line = json.lineOf(value)
    if (Array.isArray(value)) {
      const isBundle = value.length > 0 && value.every((item) => isRecord(item) && typeof item['collection'] === 'string')
      if (!isBundle) {
        addExport(value, line)
        continue
      }
      for (const part of value) {
        if (!isRecord(part)) continue
        const collection = part['collection']
        const items = part['items']
        if (!Array.isArray(items))
          problems.push({ line: json.lineOf(part), reason: `The entry for ${String(collection)} has no list of items` })
        else if (isCollection(collection)) add(collection, items)
        // Other collections (permissions, settings…) are no part of a directory.
      }
    } else if (isRecord(value)) {
      if (Array.isArray(value['data'])) addExport(value['data'], line)
      else if (typeof value['collection'] === 'string' && Array.isArray(value['items'])) {
        if (isCollection(value['collection'])) add(value['collection'], value['items'])
      } else {
        const keyed = DIRECTUS_COLLECTIONS.filter((collection) => Array.isArray(value[collection]))
        if (keyed.length === 0) problems.push({ line, reason: 'Not a Directus export: no directus_users or directus_roles' })
        for (const collection of keyed) add(collection, value[collection] as unknown[])
      }
    } else problems.push({ line, reason: 'Not a Directus export: expected a list or an object' })
  }
  return collected
}

function readCsvRecords(text: string, problems: SourceProblem[]): { record: string[]; info: { lines: number } }[] {
  return parseCsv(text, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    info: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) problems.push({ line: Number(error.lines), reason: `Not a readable CSV record: ${error.message}` })
    }
    // csv-parse's types do not model `info: true`, which makes each record `{ record, info }`.
  }) as unknown as { record: string[]; info: { lines: number } }[]
}

/** Directus's CSV (json2csv, objects flattened with "."): one user per record, a header first. */
function readCsv(text: string, problems: SourceProblem[]): Entry[] {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = readCsvRecords(text, problems)
  } catch (error) {
    // Record errors are skipped one by one; this is for what is left (say, a file that is not text).
    problems.push({ line: 1, reason: `Not a readable CSV file: ${error instanceof Error ? error.message : String(error)}` })
    return []
  }
  const header = records[0]?.record.map((name) => name.trim())
  if (header === undefined) return []
  if (!header.includes('email')) {
    problems.push({ line: 1, reason: 'Not a Directus users export: the header has no "email" column' })
    return []
  }
  const users: Entry[] = []
  let previousEnd = records[0]?.info.lines ?? 1
  for (const { record, info } of records.slice(1)) {
    const line = previousEnd + 1
    previousEnd = info.lines
    if (record.length === 1 && record[0] === '') continue
    const item: Record<string, unknown> = {}
    const role: Record<string, unknown> = {}
    header.forEach((name, index) => {
      const cell = record[index]
      if (cell === undefined) return
      // json2csv writes null as an empty cell.
      const value = cell === '' ? null : cell
      if (name.startsWith('role.')) role[name.slice(5)] = value
      else item[name] = value
    })
    if (!('role' in item) && Object.keys(role).length > 0) item['role'] = role
    users.push({ value: item, line, complete: true })
  }
  return users
}

const optionalText = (item: Record<string, unknown>, field: string): string | null | undefined => {
  if (!(field in item)) return undefined
  const value = item[field]
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : null
}

const toBoolean = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value
  if (value === 1 || value === '1' || value === 'true') return true
  if (value === 0 || value === '0' || value === 'false') return false
  return undefined
}

/** A list field: JSON exports give an array, CSV a JSON text (json2csv) or comma-joined words (`cast-csv`). */
function toList(value: unknown): string[] | undefined {
  if (value === null || value === undefined) return []
  if (Array.isArray(value)) return value.filter((entry) => typeof entry === 'string' || typeof entry === 'number').map(String)
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (text === '') return []
  if (text.startsWith('[')) {
    try {
      return toList(JSON.parse(text) as unknown)
    } catch {
      return undefined
    }
  }
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}

interface Access {
  adminAccess: boolean
  appAccess: boolean
  ipAccess: string[]
  enforceTfa: boolean
}

/** A role's access from its policies, combined as Directus combines several (any grants, IPs joined). */
function roleAccess(collected: Collected): Map<string, Access> | null {
  if (collected.directus_access.length === 0 && collected.directus_policies.length === 0) return null
  const policies = new Map<string, Record<string, unknown>>()
  for (const { value } of collected.directus_policies) {
    if (isRecord(value) && typeof value['id'] === 'string') policies.set(value['id'], value)
  }
  const byRole = new Map<string, Access>()
  const rows = collected.directus_access
    .map(({ value }) => value)
    .filter(isRecord)
    .filter((row) => typeof row['role'] === 'string' && (row['user'] === null || row['user'] === undefined))
    .sort((a, b) => Number(a['sort'] ?? 0) - Number(b['sort'] ?? 0))
  for (const row of rows) {
    const policy = policies.get(String(row['policy']))
    if (policy === undefined) continue
    const role = String(row['role'])
    const access = byRole.get(role) ?? { adminAccess: false, appAccess: false, ipAccess: [], enforceTfa: false }
    access.adminAccess ||= toBoolean(policy['admin_access']) ?? false
    access.appAccess ||= toBoolean(policy['app_access']) ?? false
    access.enforceTfa ||= toBoolean(policy['enforce_tfa']) ?? false
    for (const ip of toList(policy['ip_access']) ?? []) if (!access.ipAccess.includes(ip)) access.ipAccess.push(ip)
    byRole.set(role, access)
  }
  return byRole
}

function readRole(entry: Entry, access: Map<string, Access> | null, problems: SourceProblem[]): SourceRole | null {
  const { value, line } = entry
  if (!isRecord(value) || !entry.complete) {
    if (entry.complete) problems.push({ line, reason: 'A role entry that is not a record' })
    return null
  }
  const name = typeof value['name'] === 'string' ? value['name'].trim() : ''
  if (name === '') {
    problems.push({ line, reason: 'A role without a name' })
    return null
  }
  const id = typeof value['id'] === 'string' && value['id'] !== '' ? value['id'] : null
  const role: SourceRole = { ref: id ?? name, id, name, line }
  if (typeof value['icon'] === 'string') role.icon = value['icon']
  const description = optionalText(value, 'description')
  if (description !== undefined) role.description = description
  // Directus 10 kept access on the role itself; 11 and later never export these fields on a role.
  const own =
    'admin_access' in value
      ? {
          adminAccess: toBoolean(value['admin_access']) ?? false,
          appAccess: toBoolean(value['app_access']) ?? false,
          ipAccess: toList(value['ip_access']) ?? [],
          enforceTfa: toBoolean(value['enforce_tfa']) ?? false
        }
      : access === null
        ? undefined
        : (access.get(id ?? '') ?? { adminAccess: false, appAccess: false, ipAccess: [], enforceTfa: false })
  if (own !== undefined) Object.assign(role, own)
  return role
}

function readUser(entry: Entry, roles: Map<string, SourceRole>, problems: SourceProblem[]): SourceUser | null {
  const { value, line } = entry
  if (!entry.complete) return null
  if (!isRecord(value)) {
    problems.push({ line, reason: 'A user entry that is not a record' })
    return null
  }
  const email = typeof value['email'] === 'string' ? value['email'].trim() : ''
  if (email === '') {
    problems.push({ line, reason: 'A user without an email address' })
    return null
  }
  const id = typeof value['id'] === 'string' && value['id'] !== '' ? value['id'] : null
  const user: SourceUser = { line, id, email, roles: [] }
  const role = value['role']
  if (typeof role === 'string' && role.trim() !== '') user.roles.push(role.trim())
  else if (isRecord(role)) {
    // Exported with `fields=*,role.*` (or CSV `role.id`, `role.name`): the role comes with the user.
    const roleId = typeof role['id'] === 'string' && role['id'] !== '' ? role['id'] : null
    const roleName = typeof role['name'] === 'string' ? role['name'].trim() : ''
    const ref = roleId ?? roleName
    if (ref !== '') {
      user.roles.push(ref)
      if (!roles.has(ref) && roleName !== '') roles.set(ref, { ref, id: roleId, name: roleName, line })
    }
  }
  const fields = [
    ['firstName', 'first_name'],
    ['lastName', 'last_name'],
    ['title', 'title'],
    ['location', 'location'],
    ['description', 'description']
  ] as const
  for (const [name, field] of fields) {
    const text = optionalText(value, field)
    if (text !== undefined) user[name] = text
  }
  if (typeof value['status'] === 'string' && value['status'] !== '') user.status = value['status']
  if ('tags' in value) {
    const tags = toList(value['tags'])
    if (tags === undefined) {
      problems.push({ line, reason: 'Tags that are neither a list nor text' })
      return null
    }
    user.tags = tags
  }
  return user
}

/**
 * Several files read as one directory (say `users.csv` and `roles.json`, as Directus exports
 * them one collection at a time): each entry keeps the line it has in its own file.
 */
export function readDirectusFiles(texts: readonly string[]): SourceDirectory {
  const problems: SourceProblem[] = []
  const collected: Collected = { directus_roles: [], directus_policies: [], directus_access: [], directus_users: [] }
  for (const text of texts) {
    const start = text.replace(/^\uFEFF/, '').trimStart()
    if (start === '') {
      problems.push({ line: 1, reason: 'The file is empty' })
      continue
    }
    const part: Partial<Collected> =
      start.startsWith('[') || start.startsWith('{') ? readJson(text, problems) : { directus_users: readCsv(text, problems) }
    for (const collection of DIRECTUS_COLLECTIONS) for (const entry of part[collection] ?? []) collected[collection].push(entry)
  }

  const access = roleAccess(collected)
  const roles = new Map<string, SourceRole>()
  for (const entry of collected.directus_roles) {
    const role = readRole(entry, access, problems)
    if (role === null) continue
    if (roles.has(role.ref)) problems.push({ line: role.line, reason: `The role ${role.ref} appears twice` })
    else roles.set(role.ref, role)
  }
  const users: SourceUser[] = []
  for (const entry of collected.directus_users) {
    const user = readUser(entry, roles, problems)
    if (user !== null) users.push(user)
  }
  problems.sort((a, b) => a.line - b.line)
  return { roles: [...roles.values()], users, problems }
}

// ---------------------------------------------------------------------------------------------
// Recognising

/** Fields only Directus's `directus_users` has, as JSON keys or CSV header names. */
const DIRECTUS_USER_FIELDS = /"(tfa_secret|external_identifier|auth_data|email_notifications|last_access|last_page)"\s*[:,\r\n]/

function recognise(head: string): boolean {
  const text = head.replace(/^\uFEFF/, '')
  if (/"collection"\s*:\s*"directus_(users|roles|policies|access)"/.test(text)) return true
  if (/"directus_(users|roles)"\s*:\s*\[/.test(text)) return true
  if (DIRECTUS_USER_FIELDS.test(text)) return true
  // A roles export: Directus 11+ roles carry their policies, parent and children.
  return /"policies"\s*:/.test(text) && /"parent"\s*:/.test(text) && /"icon"\s*:/.test(text)
}

export const directusFormat: HandoffFormat = {
  id: 'directus',
  label: 'Directus',
  destination:
    'Directus 12: POST the file to /utils/import?mode=merge as an administrator (roles, policies, access and users in one request)',
  extension: 'json',
  mimeType: 'application/json',
  writer: bundleWriter,
  refuseUser,
  refuseRole: (role) => refuseRole(role),
  recognise,
  read: (text) => readDirectusFiles([text])
}
