import { randomUUID } from 'node:crypto'
import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import { columns, type RowOf } from './db/columns'
import { checkEmail } from './email'
import { DomainError } from './errors'
import type { SourceDirectory, SourceRole, SourceUser } from './formats/handoff'
import { readImportSource, type ImportInput, type ReadSource } from './import-read'
import { previewInBackground, readImportInBackground } from './import-reader'
import type { ImportOptions } from './inputs'
import { freshInviteFields, newInviteNonces } from './invite-tokens'
import {
  progressReporter,
  runWrite,
  runWriteYielding,
  WRITE_SLICE,
  type WriteControl,
  type WriteProgress,
  type WriteSteps
} from './long-write'

/**
 * Rows checked between two turns of the event loop: checking a row (address, names, role, status,
 * the match against the store) takes about 25 µs, so a slice holds other calls up ~12 ms.
 */
const CHECK_SLICE = 500
import {
  DEFAULT_ROLE_ICON,
  IMPORT_FORMAT_LABELS,
  IMPORT_PREVIEW_LIMITS,
  IMPORT_ROW_LIMIT,
  IMPORT_ROW_OUTCOMES,
  LIMITS,
  USER_STATUSES,
  type ImportField,
  type ImportNewRole,
  type ImportPreview,
  type ImportResult,
  type ImportRow,
  type UserStatus
} from './model'
import { countBy } from './paste'
import { roleNameKey } from './roles'
import { ipEntryProblem } from './rules'
import type { Store } from './store'

/**
 * Importing users and roles (PRODUCT §2 "Import"). A format's reader turns the file into a
 * `SourceDirectory` (formats/); the plan (`planSteps`) gives every user of it an outcome against
 * the store, which the preview reports and the apply writes, so both always agree.
 *
 * - Roles the file describes are matched by id, else by name, and created when missing (with
 *   the file's settings); a role a user names that the file does not describe is looked up by
 *   name (`Public` means no role), as Rolekeeper's own lists name them.
 * - Rolekeeper keeps one role per user. Someone holding several in the source keeps the first
 *   listed, the first in the admin's order, or is skipped: the preview names the role kept and
 *   the others, never silently.
 * - A field the file does not give leaves an existing user's value alone; a new user gets none
 *   (or the chosen status). The file's user id is kept for a new user when it is free.
 * - Addresses are compared on the store's normalised key, inside the file and against the store.
 */

const PUBLIC_KEY = 'public'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// ---------------------------------------------------------------------------------------------
// Roles: matched by id, else by name, else created

interface StoreRole {
  id: string
  name: string
  adminAccess: boolean
}

const ROLE_REF_COLUMNS = columns('roles', ['id', 'name', 'name_key', 'admin_access'])

function loadRoles(store: Store): { byKey: Map<string, StoreRole>; byId: Map<string, StoreRole> } {
  const rows = store.prepare<RowOf<typeof ROLE_REF_COLUMNS>>(`SELECT ${ROLE_REF_COLUMNS.sql} FROM roles`).all()
  const byKey = new Map<string, StoreRole>()
  const byId = new Map<string, StoreRole>()
  for (const row of rows) {
    const role = { id: row.id, name: row.name, adminAccess: row.admin_access === 1 }
    byKey.set(row.name_key, role)
    byId.set(row.id, role)
  }
  return { byKey, byId }
}

/** A role the import will create, with the settings the file gives it. */
interface RoleToCreate {
  id: string
  name: string
  source: SourceRole
}

/** What a role ref of the file means in the store: a role (existing or to create), Public, or unknown. */
type ResolvedRole =
  { kind: 'role'; id: string; name: string; adminAccess: boolean } | { kind: 'public' } | { kind: 'unknown'; name: string }

interface RolePlan {
  resolve(ref: string): ResolvedRole
  toCreate: RoleToCreate[]
  problems: Array<{ line: number; reason: string }>
}

function planRoles(store: Store, source: SourceDirectory): RolePlan {
  const existing = loadRoles(store)
  const byRef = new Map<string, ResolvedRole>()
  const toCreate: RoleToCreate[] = []
  const creating = new Map<string, RoleToCreate>()
  const problems: RolePlan['problems'] = []
  for (const role of source.roles) {
    const name = role.name.trim()
    const problem = roleProblem(role, name)
    if (problem !== null) {
      problems.push({ line: role.line, reason: `Role "${name}": ${problem}` })
      byRef.set(role.ref, { kind: 'unknown', name })
      continue
    }
    const match = (role.id !== null ? existing.byId.get(role.id) : undefined) ?? existing.byKey.get(roleNameKey(name))
    if (match) {
      byRef.set(role.ref, { kind: 'role', ...match })
      continue
    }
    // Two entries of the file with one name are one role.
    let created = creating.get(roleNameKey(name))
    if (!created) {
      const keepId =
        role.id !== null && UUID.test(role.id) && !existing.byId.has(role.id) && !toCreate.some((other) => other.id === role.id)
      created = { id: keepId && role.id !== null ? role.id.toLowerCase() : randomUUID(), name, source: role }
      creating.set(roleNameKey(name), created)
      toCreate.push(created)
    }
    byRef.set(role.ref, { kind: 'role', id: created.id, name: created.name, adminAccess: role.adminAccess === true })
  }
  const resolve = (ref: string): ResolvedRole => {
    const described = byRef.get(ref)
    if (described) return described
    const key = roleNameKey(ref)
    const named = existing.byKey.get(key) ?? creating.get(key)
    if (named)
      return 'source' in named
        ? { kind: 'role', id: named.id, name: named.name, adminAccess: named.source.adminAccess === true }
        : { kind: 'role', ...named }
    if (key === PUBLIC_KEY) return { kind: 'public' }
    return { kind: 'unknown', name: ref.trim() }
  }
  return { resolve, toCreate, problems }
}

function roleProblem(role: SourceRole, name: string): string | null {
  if (name === '') return 'it has no name'
  if (name.length > LIMITS.roleName) return `the name is longer than ${LIMITS.roleName} characters`
  if (role.description && role.description.length > LIMITS.roleDescription)
    return `the description is longer than ${LIMITS.roleDescription} characters`
  const badIp = role.ipAccess?.find((entry) => ipEntryProblem(entry) !== null)
  if (badIp !== undefined) return `"${badIp}" is not an IP address or range`
  if (role.icon !== undefined && !/^[a-z0-9_]{1,64}$/.test(role.icon)) return `"${role.icon}" is not an icon name`
  return null
}

// ---------------------------------------------------------------------------------------------
// Users: every row's outcome

const EXISTING_COLUMNS = columns('users', [
  'id',
  'email_key',
  'email',
  'first_name',
  'last_name',
  'status',
  'role_id',
  'title',
  'location',
  'description',
  'tags',
  'invite_nonce',
  'invited_at',
  'invite_expires_at'
])
type ExistingUser = RowOf<typeof EXISTING_COLUMNS>

/** What a new or updated user will be. */
interface UserValues {
  email: string
  firstName: string | null
  lastName: string | null
  roleId: string | null
  status: UserStatus
  title: string | null
  location: string | null
  description: string | null
  tags: string[]
}

/** A row with what it would write. */
interface PlannedRow extends ImportRow {
  key: string | null
  /** The id the file gives the user, when it may be kept for a new user. */
  sourceId: string | null
  next: UserValues | null
  existing: ExistingUser | null
  /** What the file gives; undefined where it says nothing. */
  given: {
    roleId: string | null | undefined
    status: UserStatus | undefined
    title: string | null | undefined
    location: string | null | undefined
    description: string | null | undefined
    tags: string[] | undefined
  }
}

interface ImportPlan {
  source: ReadSource
  roles: RolePlan
  rows: PlannedRow[]
  counts: ImportResult['counts']
  multipleRoles: number
  rolesInConflict: string[]
}

const EXISTING_BY_KEY_SQL = `SELECT ${EXISTING_COLUMNS.sql} FROM json_each(?) AS wanted JOIN users ON users.email_key = wanted.value`
const TAKEN_IDS_SQL = 'SELECT users.id FROM json_each(?) AS wanted JOIN users ON users.id = wanted.value'
/** Keys per lookup, and between two turns of the event loop when yielding: a few milliseconds at 1,000,000 users. */
const LOOKUP_CHUNK = 2000

/** The users already holding `keys`, by key; yields after each chunk of keys looked up. */
function* loadExisting(store: Store, keys: readonly string[], progress: WriteProgress): WriteSteps<Map<string, ExistingUser>> {
  const byKey = new Map<string, ExistingUser>()
  const lookup = store.prepare<ExistingUser>(EXISTING_BY_KEY_SQL)
  for (let start = 0; start < keys.length; start += LOOKUP_CHUNK) {
    for (const row of lookup.all(JSON.stringify(keys.slice(start, start + LOOKUP_CHUNK)))) byKey.set(row.email_key, row)
    yield progress
  }
  return byKey
}

/** Which of `ids` are users' ids already; yields after each chunk. */
function* takenIds(store: Store, ids: readonly string[], progress: WriteProgress): WriteSteps<Set<string>> {
  const taken = new Set<string>()
  const lookup = store.prepare<string>(TAKEN_IDS_SQL).pluck()
  for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
    for (const id of lookup.all(JSON.stringify(ids.slice(start, start + LOOKUP_CHUNK)))) taken.add(id)
    yield progress
  }
  return taken
}

const statusNamed = (value: string): UserStatus | undefined => USER_STATUSES.find((status) => status === value.toLowerCase())

/** Text as stored: trimmed, and empty means none; undefined stays "not given". */
function text(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined
  const trimmed = value?.trim()
  return trimmed ? trimmed : null
}

const sameTags = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((tag, index) => tag === b[index])

function parseTags(json: string): string[] {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : []
}

function planImport(store: Store, source: ReadSource, options: ImportOptions): ImportPlan {
  const planning = planSteps(store, source, options)
  for (;;) {
    const step = planning.next()
    if (step.done) return step.value
  }
}

/** Make the plan, yielding rows checked / rows in the file after each slice of rows. */
function* planSteps(store: Store, source: ReadSource, options: ImportOptions): WriteSteps<ImportPlan> {
  const entries = source.users.length + source.problems.length
  if (entries > IMPORT_ROW_LIMIT) {
    throw new DomainError(
      'limit_exceeded',
      `The file has more than ${IMPORT_ROW_LIMIT.toLocaleString('en')} rows; split it into smaller files`
    )
  }

  const roles = planRoles(store, source)
  const order = options.roleOrder.map(roleNameKey)
  const conflicts = new Set<string>()
  let multipleRoles = 0
  const seen = new Map<string, number>()
  const rows: PlannedRow[] = []
  for (const user of source.users) {
    if (rows.length > 0 && rows.length % CHECK_SLICE === 0) yield { done: rows.length, total: entries }
    rows.push(checkRow(user))
  }
  for (const problem of [...source.problems, ...roles.problems]) rows.push(unreadableRow(problem.line, problem.reason))
  rows.sort((a, b) => a.line - b.line)

  function checkRow(user: SourceUser): PlannedRow {
    const email = user.email.trim()
    const held = heldRoles(user.roles)
    const [kept, ...others] = chooseRole(held)
    const row: PlannedRow = {
      line: user.line,
      email,
      firstName: text(user.firstName) ?? null,
      lastName: text(user.lastName) ?? null,
      role: kept?.label ?? null,
      otherRoles: others.map((role) => role.label),
      status: text(user.status) ?? null,
      outcome: 'invalid',
      reason: null,
      userId: null,
      changes: [],
      key: null,
      sourceId: user.id !== null && UUID.test(user.id) ? user.id.toLowerCase() : null,
      next: null,
      existing: null,
      given: {
        roleId: undefined,
        status: undefined,
        title: text(user.title),
        location: text(user.location),
        description: text(user.description),
        tags: user.tags?.map((tag) => tag.trim()).filter((tag) => tag !== '')
      }
    }
    const problems: string[] = [...(user.problems ?? [])]
    const checked = checkEmail(email)
    if (checked.ok) {
      // The address as every other path stores it (no invisible characters, NFC), and its key.
      row.email = checked.email
      row.key = checked.key
    } else problems.push(email === '' ? 'No email address' : `Email: ${checked.reason}`)
    const tooLong = (value: string | null | undefined, max: number): boolean => typeof value === 'string' && value.length > max
    if (tooLong(row.firstName, LIMITS.personName)) problems.push(`First name is longer than ${LIMITS.personName} characters`)
    if (tooLong(row.lastName, LIMITS.personName)) problems.push(`Last name is longer than ${LIMITS.personName} characters`)
    if (tooLong(row.given.title, LIMITS.profileText)) problems.push(`Title is longer than ${LIMITS.profileText} characters`)
    if (tooLong(row.given.location, LIMITS.profileText)) problems.push(`Location is longer than ${LIMITS.profileText} characters`)
    if (tooLong(row.given.description, LIMITS.userDescription))
      problems.push(`Description is longer than ${LIMITS.userDescription} characters`)
    const tags = row.given.tags
    if (tags && (tags.length > LIMITS.tags || tags.some((tag) => tag.length > LIMITS.tagLength))) {
      problems.push(`At most ${LIMITS.tags} tags of at most ${LIMITS.tagLength} characters`)
    }
    if (kept?.resolved.kind === 'unknown') problems.push(`Unknown role "${kept.label}"`)
    else if (kept?.resolved.kind === 'role') row.given.roleId = kept.resolved.id
    else if (kept?.resolved.kind === 'public') row.given.roleId = null
    if (row.status !== null) {
      row.given.status = statusNamed(row.status)
      if (row.given.status === undefined) problems.push(`Unknown status "${row.status}" (use ${USER_STATUSES.join(', ')})`)
    }
    if (row.key !== null) {
      const first = seen.get(row.key)
      if (first !== undefined) {
        row.outcome = 'duplicate'
        row.reason = `Same address as line ${first}`
        return row
      }
      seen.set(row.key, user.line)
    }
    if (problems.length > 0) {
      row.reason = problems.join('; ')
      return row
    }
    if (others.length > 0 && options.multipleRoles === 'skip') {
      row.outcome = 'skipped'
      row.role = null
      row.otherRoles = held.map((role) => role.label)
      row.reason = `Holds ${held.length} roles (${row.otherRoles.join(', ')}): skipped, as chosen`
    }
    return row
  }

  /** The user's roles as the store will know them, once each, in the file's order. */
  function heldRoles(refs: readonly string[]): Array<{ label: string; resolved: ResolvedRole }> {
    const held: Array<{ label: string; resolved: ResolvedRole }> = []
    const seenRoles = new Set<string>()
    for (const ref of refs) {
      const resolved = roles.resolve(ref)
      const key = resolved.kind === 'role' ? resolved.id : resolved.kind === 'public' ? '' : `?${resolved.name}`
      if (seenRoles.has(key)) continue
      seenRoles.add(key)
      held.push({ label: resolved.kind === 'role' ? resolved.name : resolved.kind === 'public' ? 'Public' : resolved.name, resolved })
    }
    return held
  }

  /** The role kept first, then the others: by the admin's order when asked, else as the file lists them. */
  function chooseRole(held: Array<{ label: string; resolved: ResolvedRole }>): Array<{ label: string; resolved: ResolvedRole }> {
    if (held.length < 2) return held
    multipleRoles++
    for (const role of held) conflicts.add(role.label)
    if (options.multipleRoles !== 'order') return held
    const rank = (label: string): number => {
      const index = order.indexOf(roleNameKey(label))
      return index === -1 ? order.length : index
    }
    return [...held].sort((a, b) => rank(a.label) - rank(b.label))
  }

  const candidates = rows.filter((row) => row.key !== null && row.reason === null && row.outcome === 'invalid')
  const checked: WriteProgress = { done: rows.length, total: entries }
  const existingByKey = yield* loadExisting(
    store,
    candidates.map((row) => row.key ?? ''),
    checked
  )
  const idsTaken = yield* takenIds(
    store,
    candidates.flatMap((row) => (row.sourceId === null ? [] : [row.sourceId])),
    checked
  )
  const idsClaimed = new Set<string>()

  for (const [index, row] of candidates.entries()) {
    if (index > 0 && index % CHECK_SLICE === 0) yield checked
    if (row.key === null) continue
    const { roleId, status, title, location, description, tags } = row.given
    const existing = existingByKey.get(row.key) ?? null
    if (existing === null) {
      row.outcome = 'new'
      if (row.sourceId !== null && (idsTaken.has(row.sourceId) || idsClaimed.has(row.sourceId))) row.sourceId = null
      if (row.sourceId !== null) idsClaimed.add(row.sourceId)
      row.next = {
        email: row.email,
        firstName: row.firstName,
        lastName: row.lastName,
        roleId: roleId ?? null,
        status: status ?? options.newUsersAs,
        title: title ?? null,
        location: location ?? null,
        description: description ?? null,
        tags: tags ?? []
      }
      continue
    }
    row.existing = existing
    row.userId = existing.id
    if (options.existing === 'skip') {
      row.outcome = 'unchanged'
      row.reason = `Already a user (${existing.status}): skipped`
      continue
    }
    const existingTags = parseTags(existing.tags)
    const next: UserValues = {
      email: existing.email,
      firstName: row.firstName ?? existing.first_name,
      lastName: row.lastName ?? existing.last_name,
      roleId: roleId === undefined ? existing.role_id : roleId,
      status: status ?? existing.status,
      title: title === undefined ? existing.title : title,
      location: location === undefined ? existing.location : location,
      description: description === undefined ? existing.description : description,
      tags: tags ?? existingTags
    }
    const changes: ImportField[] = []
    if (next.firstName !== existing.first_name) changes.push('firstName')
    if (next.lastName !== existing.last_name) changes.push('lastName')
    if (next.roleId !== existing.role_id) changes.push('role')
    if (next.status !== existing.status) changes.push('status')
    if (next.title !== existing.title) changes.push('title')
    if (next.location !== existing.location) changes.push('location')
    if (next.description !== existing.description) changes.push('description')
    if (!sameTags(next.tags, existingTags)) changes.push('tags')
    if (changes.length === 0) {
      row.outcome = 'unchanged'
      row.reason = 'Already up to date'
      continue
    }
    row.outcome = 'update'
    row.changes = changes
    row.next = next
  }

  const counts = countBy(IMPORT_ROW_OUTCOMES, rows, (row) => row.outcome)
  return { source, roles, rows, counts, multipleRoles, rolesInConflict: [...conflicts].sort((a, b) => a.localeCompare(b)) }
}

/** An entry the reader could not read at all: one invalid row with its line. */
function unreadableRow(line: number, reason: string): PlannedRow {
  return {
    line,
    email: '',
    firstName: null,
    lastName: null,
    role: null,
    otherRoles: [],
    status: null,
    outcome: 'invalid',
    reason,
    userId: null,
    changes: [],
    key: null,
    sourceId: null,
    next: null,
    existing: null,
    given: { roleId: undefined, status: undefined, title: undefined, location: undefined, description: undefined, tags: undefined }
  }
}

function publicRow(row: PlannedRow): ImportRow {
  return {
    line: row.line,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    role: row.role,
    otherRoles: row.otherRoles,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    userId: row.userId,
    changes: row.changes
  }
}

// ---------------------------------------------------------------------------------------------
// Preview and apply

const notable = (row: PlannedRow): boolean =>
  row.outcome === 'invalid' || row.outcome === 'duplicate' || row.outcome === 'skipped' || row.otherRoles.length > 0

/** What importing the file would do, row by row; nothing is written. */
export function previewImport(store: Store, input: ImportInput, options: ImportOptions): ImportPreview {
  return previewOf(planImport(store, readImportSource(input, options), options))
}

/**
 * `previewImport` for big files: read and checked in the import worker where the database is a
 * file; otherwise the file is read off the main thread and the rows are checked in slices,
 * handing the event loop back between them with progress. Either way the app goes on answering;
 * cancelled through `control.signal`. Nothing is written.
 */
export async function previewImportYielding(
  store: Store,
  input: ImportInput,
  options: ImportOptions,
  control: WriteControl
): Promise<ImportPreview> {
  // A database file: the worker reads the file and checks its rows, off the main thread.
  if (store.snapshot() !== null) {
    const made = await previewInBackground(input, options, { file: store.file, keys: store.inviteKeys }, control)
    if (made) return made
  }
  const source = await readImportInBackground(input, options, control.signal)
  const planning = previewSteps(store, source, options)
  const report = progressReporter(control.onProgress)
  for (;;) {
    if (control.signal?.aborted) throw new DomainError('cancelled', 'The preview was cancelled')
    const step = planning.next()
    if (step.done) return step.value
    report(step.value)
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
}

/** The preview of a file read already, yielding after each slice of rows checked. */
export function* previewSteps(store: Store, source: ReadSource, options: ImportOptions): WriteSteps<ImportPreview> {
  return previewOf(yield* planSteps(store, source, options))
}

function previewOf(plan: ImportPlan): ImportPreview {
  const listed: ImportRow[] = []
  let problems = 0
  plan.rows.forEach((row, index) => {
    if (index < IMPORT_PREVIEW_LIMITS.firstRows) {
      listed.push(publicRow(row))
    } else if (notable(row) && problems < IMPORT_PREVIEW_LIMITS.problemRows) {
      problems++
      listed.push(publicRow(row))
    }
  })
  return {
    format: plan.source.format,
    totalRows: plan.rows.length,
    counts: plan.counts,
    columns: plan.source.columns,
    ignoredColumns: plan.source.ignoredColumns,
    newRoles: plan.roles.toCreate.map((role): ImportNewRole => ({
      name: role.name,
      line: role.source.line,
      adminAccess: role.source.adminAccess === true
    })),
    multipleRoles: plan.multipleRoles,
    rolesInConflict: plan.rolesInConflict,
    rows: listed,
    rowsOmitted: plan.rows.length - listed.length
  }
}

/** New users go in this many to a statement: one native call per batch, not per row. */
const INSERT_BATCH = 100
const INSERT_COLUMNS = 18
const insertSql = (rows: number): string =>
  `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, indexed_role_id, title, location,
  description, tags, invited_at, invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by) VALUES ` +
  Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
// The role twice: the role-ordered indexes file the user under the new role at once (core/role-index.ts).
const UPDATE_SQL = `UPDATE users SET first_name = ?, last_name = ?, role_id = ?, indexed_role_id = ?, status = ?, title = ?, location = ?,
  description = ?, tags = ?, invite_nonce = ?, invited_at = ?, invite_expires_at = ?, updated_at = ?, last_changed_by = ?
  WHERE id = ?`
const INSERT_ROLE_SQL = `INSERT INTO roles (id, name, name_key, icon, description, admin_access, app_access, ip_access,
  enforce_tfa, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** Snapshots of updated users kept in the activity entry; the rest are counted, not listed. */
const ACTIVITY_SNAPSHOTS = 1000

/**
 * Import the file: the roles to create and the rows the preview calls new and update are
 * written in one transaction (invalid, duplicate, skipped and unchanged rows are not), with one
 * activity entry. The plan is made again inside the transaction, so it is the state at write
 * time that counts.
 */
export function applyImport(store: Store, input: ImportInput, options: ImportOptions): ImportResult {
  const source = readImportSource(input, options)
  return runWrite(store, () => importSteps(store, source, options))
}

/**
 * `applyImport` for files of many thousand rows: the file read off the main thread, then the
 * same single transaction, handing the event loop back between slices with progress (every row
 * counts twice: once checked, once written or passed over); cancelled through `control.signal`,
 * it writes nothing.
 */
export async function applyImportYielding(
  store: Store,
  input: ImportInput,
  options: ImportOptions,
  control: WriteControl
): Promise<ImportResult> {
  const cancelled = 'The import was cancelled: nothing was written'
  // Read before the transaction, off the main thread: nothing else waits for the parsing.
  const source = await readImportInBackground(input, options, control.signal)
  if (control.signal?.aborted) throw new DomainError('cancelled', cancelled)
  return runWriteYielding(store, () => importSteps(store, source, options), control, cancelled)
}

function* importSteps(store: Store, source: ReadSource, options: ImportOptions): WriteSteps<ImportResult> {
  const planning = planSteps(store, source, options)
  let step = planning.next()
  for (; !step.done; step = planning.next()) yield { done: step.value.done, total: 2 * step.value.total }
  const plan = step.value
  const rowCount = plan.rows.length
  const total = 2 * rowCount
  const isWrite = (row: PlannedRow): boolean => row.outcome === 'new' || row.outcome === 'update'
  const writes = plan.rows.filter(isWrite)
  const roles = plan.roles.toCreate
  if (writes.length === 0 && roles.length === 0) return { counts: plan.counts, activityId: null }

  const now = store.now()
  const nowText = now.toISOString()
  // The invite module's dates for a user entering `invited` now; nonces are drawn in one batch below.
  const { invite_expires_at: expiresAt } = freshInviteFields(store, now)
  const actor = store.actor
  const startsInvite = (row: PlannedRow): boolean => row.next?.status === 'invited' && row.existing?.status !== 'invited'
  const nonces = newInviteNonces(writes.filter(startsInvite).length)
  let nonceIndex = 0
  const adminsBefore = countActiveAdmins(store)

  const insertRole = store.prepare(INSERT_ROLE_SQL)
  for (const role of roles) {
    const { source } = role
    insertRole.run(
      role.id,
      role.name,
      roleNameKey(role.name),
      source.icon ?? DEFAULT_ROLE_ICON,
      text(source.description) ?? null,
      source.adminAccess ? 1 : 0,
      source.appAccess === false ? 0 : 1,
      JSON.stringify(source.ipAccess ?? []),
      source.enforceTfa ? 1 : 0,
      nowText,
      nowText
    )
  }

  const update = store.prepare(UPDATE_SQL)
  let pending: Array<string | null> = []
  const flush = (): void => {
    if (pending.length === 0) return
    store.prepare(insertSql(pending.length / INSERT_COLUMNS)).run(pending)
    pending = []
  }
  const written: string[] = []
  const before: unknown[] = []
  const after: unknown[] = []

  for (let index = 0; index < rowCount; index++) {
    if (index % WRITE_SLICE === 0) yield { done: rowCount + index, total }
    const row = plan.rows[index]
    if (row === undefined || !isWrite(row)) continue
    const next = row.next
    const key = row.key
    if (next === null || key === null) continue
    let invite: { nonce: string | null; invitedAt: string | null; expiresAt: string | null } = {
      nonce: null,
      invitedAt: null,
      expiresAt: null
    }
    if (startsInvite(row)) invite = { nonce: nonces[nonceIndex++] ?? null, invitedAt: nowText, expiresAt }
    const tags = JSON.stringify(next.tags)
    const existing = row.existing
    if (existing === null) {
      const id = row.sourceId ?? randomUUID()
      pending.push(
        id,
        next.email,
        key,
        next.firstName,
        next.lastName,
        next.status,
        next.roleId,
        next.roleId,
        next.title,
        next.location,
        next.description
      )
      pending.push(tags, invite.invitedAt, invite.expiresAt, invite.nonce, nowText, nowText, actor)
      if (pending.length === INSERT_BATCH * INSERT_COLUMNS) flush()
      row.userId = id
      written.push(id)
      continue
    }
    // A user who stays invited keeps their current invite (and link); one who leaves it loses it.
    if (next.status === 'invited' && existing.status === 'invited') {
      invite = { nonce: existing.invite_nonce, invitedAt: existing.invited_at, expiresAt: existing.invite_expires_at }
    }
    update.run(
      next.firstName,
      next.lastName,
      next.roleId,
      next.roleId,
      next.status,
      next.title,
      next.location,
      next.description,
      tags,
      invite.nonce,
      invite.invitedAt,
      invite.expiresAt,
      nowText,
      actor,
      existing.id
    )
    written.push(existing.id)
    if (before.length < ACTIVITY_SNAPSHOTS) {
      before.push(snapshot(existing.id, existing.first_name, existing.last_name, existing.role_id, existing.status))
      after.push(snapshot(existing.id, next.firstName, next.lastName, next.roleId, next.status))
    }
  }

  flush()

  const storeRoles = loadRoles(store)
  ensureAdminRemains(store, adminsBefore, () => {
    const fields: Record<string, string> = {}
    for (const row of writes) {
      const { existing, next } = row
      if (existing === null || next === null) continue
      const isAdmin = (status: UserStatus, roleId: string | null): boolean =>
        status === 'active' && roleId !== null && storeRoles.byId.get(roleId)?.adminAccess === true
      if (!isAdmin(existing.status, existing.role_id) || isAdmin(next.status, next.roleId)) continue
      fields[`rows.${row.line}`] = `Line ${row.line}: ${existing.email} is an active administrator`
    }
    return fields
  })

  const { counts } = plan
  const activityId = recordActivity(store, {
    action: 'user.import',
    collection: 'users',
    recordIds: [...roles.map((role) => role.id), ...written],
    summary:
      `Imported ${counts.new} new ${counts.new === 1 ? 'user' : 'users'}` +
      (counts.update > 0 ? `, updated ${counts.update}` : '') +
      (roles.length > 0 ? `, created ${roles.length} ${roles.length === 1 ? 'role' : 'roles'}` : '') +
      ` from a ${IMPORT_FORMAT_LABELS[plan.source.format]} file`,
    before: before.length > 0 ? { updated: before, listed: before.length, total: counts.update } : undefined,
    after: {
      options,
      created: counts.new,
      updated: after,
      total: counts.update,
      ...(roles.length > 0 && { createdRoles: roles.map((role) => ({ id: role.id, name: role.name })) })
    }
  })
  return { counts, activityId }
}

function snapshot(
  id: string,
  firstName: string | null,
  lastName: string | null,
  roleId: string | null,
  status: UserStatus
): { id: string; firstName: string | null; lastName: string | null; roleId: string | null; status: UserStatus } {
  return { id, firstName, lastName, roleId, status }
}

export type { ImportInput } from './import-read'
export { recogniseImportFormat } from './import-read'
