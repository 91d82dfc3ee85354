import { randomUUID } from 'node:crypto'
import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import { columns, type RowOf } from './db/columns'
import { checkEmail } from './email'
import { DomainError } from './errors'
import { readCsv, type CsvSource } from './formats/csv'
import type { SourceUser } from './formats/handoff'
import { freshInviteFields, newInviteNonces } from './invite-tokens'
import { runWrite, runWriteYielding, WRITE_SLICE, type WriteControl, type WriteSteps } from './long-write'
import { LIMITS, USER_STATUSES, type UserStatus } from './model'
import { countBy } from './paste'
import { roleNameKey } from './roles'
import type { Store } from './store'
import type { ImportOptions } from './inputs'
import {
  IMPORT_PREVIEW_LIMITS,
  IMPORT_ROW_LIMIT,
  IMPORT_ROW_OUTCOMES,
  type ImportField,
  type ImportPreview,
  type ImportResult,
  type ImportRow,
  type ImportRowOutcome
} from './model'

/**
 * Importing users and invites (PRODUCT §2 "Import"). A format's reader turns the file into a
 * `SourceDirectory` (formats/); the plan (`planSteps`) gives every user of it an outcome against
 * the store, which the preview reports and the apply writes, so both always agree.
 *
 * Field rules: an empty or missing field means "not given": a new user gets no name / Public /
 * the chosen status, an existing one keeps the value. A role is named (ignoring case); `Public`
 * means no role unless a role has that name. A status in the file wins over `newUsersAs`, which
 * applies to rows without one.
 */

const PUBLIC_KEY = 'public'

// ---------------------------------------------------------------------------------------------
// Reading the file

/** The text of a file that must be UTF-8 (a BOM is allowed and dropped). */
function decodeUtf8(input: string | Buffer): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '')
  if (input.length >= 2 && ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))) {
    throw new DomainError('validation', 'The file is not UTF-8 text: it is UTF-16. Save it as "CSV UTF-8" and try again.')
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input)
  } catch {
    throw new DomainError(
      'validation',
      'The file is not UTF-8 text (it contains bytes that are not valid UTF-8). Save it as "CSV UTF-8" and try again.'
    )
  }
}

/** The file as a directory, with the columns it was read from (CSV) when the format has any. */
function readSource(input: string | Buffer): CsvSource {
  return readCsv(decodeUtf8(input))
}

// ---------------------------------------------------------------------------------------------
// Planning: every row's outcome

interface RoleRef {
  id: string
  adminAccess: boolean
}

const EXISTING_COLUMNS = columns('users', [
  'id',
  'email_key',
  'email',
  'first_name',
  'last_name',
  'status',
  'role_id',
  'invite_nonce',
  'invited_at',
  'invite_expires_at'
])
type ExistingUser = RowOf<typeof EXISTING_COLUMNS>

/** A row with what it would write. */
interface PlannedRow extends ImportRow {
  key: string | null
  /** The values to write for new and update rows. */
  next: {
    email: string
    firstName: string | null
    lastName: string | null
    roleId: string | null
    status: UserStatus
  } | null
  existing: ExistingUser | null
  /** The role and status the file names; undefined when not given. */
  given: { roleId: string | null | undefined; status: UserStatus | undefined }
}

interface ImportPlan {
  source: CsvSource
  rows: PlannedRow[]
  counts: Record<ImportRowOutcome, number>
}

const EXISTING_BY_KEY_SQL = `SELECT ${EXISTING_COLUMNS.sql} FROM json_each(?) AS wanted JOIN users ON users.email_key = wanted.value`
/** Keys per lookup: bounds the JSON text bound to one statement. */
const LOOKUP_CHUNK = 20_000

function loadExisting(store: Store, keys: readonly string[]): Map<string, ExistingUser> {
  const byKey = new Map<string, ExistingUser>()
  const lookup = store.prepare<ExistingUser>(EXISTING_BY_KEY_SQL)
  for (let start = 0; start < keys.length; start += LOOKUP_CHUNK) {
    for (const row of lookup.all(JSON.stringify(keys.slice(start, start + LOOKUP_CHUNK)))) byKey.set(row.email_key, row)
  }
  return byKey
}

const ROLE_REF_COLUMNS = columns('roles', ['id', 'name_key', 'admin_access'])

function loadRoles(store: Store): { byKey: Map<string, RoleRef>; byId: Map<string, RoleRef> } {
  const rows = store.prepare<RowOf<typeof ROLE_REF_COLUMNS>>(`SELECT ${ROLE_REF_COLUMNS.sql} FROM roles`).all()
  const byKey = new Map<string, RoleRef>()
  const byId = new Map<string, RoleRef>()
  for (const row of rows) {
    const role = { id: row.id, adminAccess: row.admin_access === 1 }
    byKey.set(row.name_key, role)
    byId.set(row.id, role)
  }
  return { byKey, byId }
}

const statusNamed = (value: string): UserStatus | undefined => USER_STATUSES.find((status) => status === value.toLowerCase())

/** A field as given: trimmed text, or null when empty. */
const given = (value: string | null | undefined): string | null => {
  const text = value?.trim()
  return text ? text : null
}

function planImport(store: Store, input: string | Buffer, options: ImportOptions): ImportPlan {
  const planning = planSteps(store, input, options)
  for (;;) {
    const step = planning.next()
    if (step.done) return step.value
  }
}

/** Make the plan, yielding rows checked / rows in the file after each slice of rows. */
function* planSteps(store: Store, input: string | Buffer, options: ImportOptions): WriteSteps<ImportPlan> {
  const source = readSource(input)
  const entries = source.users.length + source.problems.length
  if (entries > IMPORT_ROW_LIMIT) {
    throw new DomainError(
      'limit_exceeded',
      `The file has more than ${IMPORT_ROW_LIMIT.toLocaleString('en')} rows; split it into smaller files`
    )
  }

  const roles = loadRoles(store)
  const seen = new Map<string, number>()
  const rows: PlannedRow[] = []
  for (const user of source.users) {
    if (rows.length > 0 && rows.length % WRITE_SLICE === 0) yield { done: rows.length, total: entries }
    rows.push(checkRow(user))
  }
  for (const problem of source.problems) rows.push(unreadableRow(problem.line, problem.reason))
  rows.sort((a, b) => a.line - b.line)

  function checkRow(user: SourceUser): PlannedRow {
    const email = user.email.trim()
    const role = user.roles[0] ?? null
    const row: PlannedRow = {
      line: user.line,
      email,
      firstName: given(user.firstName),
      lastName: given(user.lastName),
      role,
      status: given(user.status),
      outcome: 'invalid',
      reason: null,
      userId: null,
      changes: [],
      key: null,
      next: null,
      existing: null,
      given: { roleId: undefined, status: undefined }
    }
    const problems: string[] = [...(user.problems ?? [])]
    const checked = checkEmail(email)
    if (checked.ok) {
      // The address as every other path stores it (no invisible characters, NFC), and its key.
      row.email = checked.email
      row.key = checked.key
    } else problems.push(email === '' ? 'No email address' : `Email: ${checked.reason}`)
    if (row.firstName !== null && row.firstName.length > LIMITS.personName) {
      problems.push(`First name is longer than ${LIMITS.personName} characters`)
    }
    if (row.lastName !== null && row.lastName.length > LIMITS.personName) {
      problems.push(`Last name is longer than ${LIMITS.personName} characters`)
    }
    if (role !== null) {
      const key = roleNameKey(role)
      const found = roles.byKey.get(key)
      if (found !== undefined) row.given.roleId = found.id
      else if (key === PUBLIC_KEY) row.given.roleId = null
      else problems.push(`Unknown role "${role}"`)
    }
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
    if (problems.length > 0) row.reason = problems.join('; ')
    return row
  }

  const keys = rows.filter((row) => row.key !== null && row.reason === null && row.outcome !== 'duplicate')
  const existingByKey = loadExisting(
    store,
    keys.map((row) => row.key ?? '')
  )

  for (const row of rows) {
    if (row.outcome === 'duplicate' || row.reason !== null || row.key === null) continue
    const { roleId, status } = row.given
    const existing = existingByKey.get(row.key) ?? null
    if (existing === null) {
      row.outcome = 'new'
      row.next = {
        email: row.email,
        firstName: row.firstName,
        lastName: row.lastName,
        roleId: roleId ?? null,
        status: status ?? options.newUsersAs
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
    const next = {
      email: existing.email,
      firstName: row.firstName ?? existing.first_name,
      lastName: row.lastName ?? existing.last_name,
      roleId: roleId === undefined ? existing.role_id : roleId,
      status: status ?? existing.status
    }
    const changes: ImportField[] = []
    if (next.firstName !== existing.first_name) changes.push('firstName')
    if (next.lastName !== existing.last_name) changes.push('lastName')
    if (next.roleId !== existing.role_id) changes.push('role')
    if (next.status !== existing.status) changes.push('status')
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
  return { source, rows, counts }
}

/** An entry the reader could not read at all: one invalid row with its line. */
function unreadableRow(line: number, reason: string): PlannedRow {
  return {
    line,
    email: '',
    firstName: null,
    lastName: null,
    role: null,
    status: null,
    outcome: 'invalid',
    reason,
    userId: null,
    changes: [],
    key: null,
    next: null,
    existing: null,
    given: { roleId: undefined, status: undefined }
  }
}

function publicRow(row: PlannedRow): ImportRow {
  return {
    line: row.line,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    role: row.role,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    userId: row.userId,
    changes: row.changes
  }
}

// ---------------------------------------------------------------------------------------------
// Preview and apply

/** What importing the file would do, row by row; nothing is written. */
export function previewImport(store: Store, input: string | Buffer, options: ImportOptions): ImportPreview {
  const plan = planImport(store, input, options)
  const listed: ImportRow[] = []
  let problems = 0
  plan.rows.forEach((row, index) => {
    if (index < IMPORT_PREVIEW_LIMITS.firstRows) {
      listed.push(publicRow(row))
    } else if ((row.outcome === 'invalid' || row.outcome === 'duplicate') && problems < IMPORT_PREVIEW_LIMITS.problemRows) {
      problems++
      listed.push(publicRow(row))
    }
  })
  return {
    totalRows: plan.rows.length,
    counts: plan.counts,
    columns: plan.source.columns,
    ignoredColumns: plan.source.ignoredColumns,
    rows: listed,
    rowsOmitted: plan.rows.length - listed.length
  }
}

/** New users go in this many to a statement: one native call per batch, not per row. */
const INSERT_BATCH = 100
const INSERT_COLUMNS = 13
const insertSql = (rows: number): string =>
  `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id,
  invited_at, invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by) VALUES ` +
  Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
const UPDATE_SQL = `UPDATE users SET first_name = ?, last_name = ?, role_id = ?, status = ?,
  invite_nonce = ?, invited_at = ?, invite_expires_at = ?, updated_at = ?, last_changed_by = ?
  WHERE id = ?`

/** Snapshots of updated users kept in the activity entry; the rest are counted, not listed. */
const ACTIVITY_SNAPSHOTS = 1000

/**
 * Import the file: the rows the preview calls new and update are written in one transaction
 * (invalid, duplicate and unchanged rows are not), with one activity entry. The plan is made
 * again inside the transaction, so it is the state at write time that counts.
 */
export function applyImport(store: Store, input: string | Buffer, options: ImportOptions): ImportResult {
  return runWrite(store, () => importSteps(store, input, options))
}

/**
 * `applyImport` for files of many thousand rows: the same single transaction, handing the event
 * loop back between slices with progress (every row counts twice: once checked, once written or
 * passed over); cancelled through `control.signal`, it writes nothing.
 */
export function applyImportYielding(
  store: Store,
  input: string | Buffer,
  options: ImportOptions,
  control: WriteControl
): Promise<ImportResult> {
  return runWriteYielding(store, () => importSteps(store, input, options), control, 'The import was cancelled: nothing was written')
}

function* importSteps(store: Store, input: string | Buffer, options: ImportOptions): WriteSteps<ImportResult> {
  const planning = planSteps(store, input, options)
  let step = planning.next()
  for (; !step.done; step = planning.next()) yield { done: step.value.done, total: 2 * step.value.total }
  const plan = step.value
  const rowCount = plan.rows.length
  const total = 2 * rowCount
  const isWrite = (row: PlannedRow): boolean => row.outcome === 'new' || row.outcome === 'update'
  const writes = plan.rows.filter(isWrite)
  if (writes.length === 0) return { counts: plan.counts, activityId: null }

  const now = store.now()
  const nowText = now.toISOString()
  // The invite module's dates for a user entering `invited` now; nonces are drawn in one batch below.
  const { invite_expires_at: expiresAt } = freshInviteFields(store, now)
  const actor = store.actor
  const startsInvite = (row: PlannedRow): boolean => row.next?.status === 'invited' && row.existing?.status !== 'invited'
  const nonces = newInviteNonces(writes.filter(startsInvite).length)
  let nonceIndex = 0
  const adminsBefore = countActiveAdmins(store)
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
    const existing = row.existing
    if (existing === null) {
      const id = randomUUID()
      pending.push(id, next.email, key, next.firstName, next.lastName, next.status, next.roleId)
      pending.push(invite.invitedAt, invite.expiresAt, invite.nonce, nowText, nowText, actor)
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
      next.status,
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

  const roles = loadRoles(store)
  ensureAdminRemains(store, adminsBefore, () => {
    const fields: Record<string, string> = {}
    for (const row of writes) {
      const { existing, next } = row
      if (existing === null || next === null) continue
      const isAdmin = (status: UserStatus, roleId: string | null): boolean =>
        status === 'active' && roleId !== null && roles.byId.get(roleId)?.adminAccess === true
      if (!isAdmin(existing.status, existing.role_id) || isAdmin(next.status, next.roleId)) continue
      fields[`rows.${row.line}`] = `Line ${row.line}: ${existing.email} is an active administrator`
    }
    return fields
  })

  const { counts } = plan
  const activityId = recordActivity(store, {
    action: 'user.import',
    collection: 'users',
    recordIds: written,
    summary:
      `Imported ${counts.new} new ${counts.new === 1 ? 'user' : 'users'}` +
      (counts.update > 0 ? `, updated ${counts.update}` : '') +
      ` from a CSV file`,
    before: before.length > 0 ? { updated: before, listed: before.length, total: counts.update } : undefined,
    after: { options, created: counts.new, updated: after, total: counts.update }
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
