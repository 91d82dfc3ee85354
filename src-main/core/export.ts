/**
 * Exports: the users a scope names, read from the store page by page as `DirectoryUser`s, and
 * written by a format's streaming writer into a temporary file that is renamed over the target
 * only when complete. Reading and writing meet only in batches, so a 100,000-row export never
 * holds more than one page, and every format (CSV, JSON, the hand-off formats) shares the same
 * scopes, progress, cancel and atomic write.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import { columns, type RowOf } from './db/columns'
import { parseStringList, type RoleRow } from './db/schema'
import { DomainError } from './errors'
import { csvWriter } from './formats/csv'
import type { DirectoryInvite, DirectoryRole, DirectoryUser, HandoffWriter } from './formats/handoff'
import { jsonWriter } from './formats/json'
import type { ExportOptions, ExportScope, UserFilter } from './inputs'
import { inviteLinkBuilder, inviteToken } from './invite-tokens'
import type { ExportResult } from './model'
import { toRole } from './roles'
import { inviteSettings } from './settings'
import { getRaw, allRaw, type Store } from './store'
import { syncFolder } from './files'
import { SORT_KEY, userFilterCondition } from './user-directory'

/** Rows read from the store per page: one keyset query, one write to the file. */
export const EXPORT_PAGE_SIZE = 1000

export interface ExportControl {
  /** Called after the header and after each page: rows written so far, rows expected. */
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
}

// ---------------------------------------------------------------------------------------------
// Reading the store in pages

export interface ExportSource {
  /** Rows expected; a few may change while the export runs, so progress clamps to it. */
  total: number
  /** The roles the exported users hold. */
  roles: DirectoryRole[]
  pages: AsyncIterable<DirectoryUser[]>
}

const EXPORT_USER_COLUMNS = columns('users', [
  'rowid',
  'id',
  'email',
  'first_name',
  'last_name',
  'status',
  'role_id',
  'title',
  'location',
  'description',
  'tags',
  'invited_at',
  'invite_expires_at',
  'invite_nonce',
  'created_at',
  'sort_name'
])
type ExportRow = RowOf<typeof EXPORT_USER_COLUMNS>

export function exportSource(store: Store, scope: ExportScope, pageSize = EXPORT_PAGE_SIZE): ExportSource {
  const toUser = directoryUserMapper(store)
  const mapped = async function* (pages: Iterable<ExportRow[]>): AsyncGenerator<DirectoryUser[]> {
    for (const rows of pages) yield rows.map(toUser)
  }
  switch (scope.kind) {
    case 'roleInvites':
      return {
        total: pendingInviteCount(store, scope.roleId),
        roles: rolesById(store, scope.roleId === null ? [] : [scope.roleId]),
        pages: mapped(roleInvitePages(store, scope.roleId, pageSize))
      }
    case 'allInvites':
      return {
        total: pendingInviteCount(store, undefined),
        roles: rolesHeldWhere(store, PENDING),
        pages: mapped(filteredPages(store, PENDING, pageSize))
      }
    case 'users': {
      if ('ids' in scope.selection) {
        const ids = [...new Set(scope.selection.ids)]
        const wanted = sql<SqlBool>`users.id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`
        return { total: ids.length, roles: rolesHeldWhere(store, wanted), pages: mapped(selectedUserPages(store, ids, pageSize)) }
      }
      const condition = userFilterCondition(scope.selection.filter)
      return {
        total: filteredUserCount(store, scope.selection.filter),
        roles: rolesHeldWhere(store, condition),
        pages: mapped(filteredPages(store, condition, pageSize))
      }
    }
  }
}

function rolesById(store: Store, ids: readonly string[]): DirectoryRole[] {
  if (ids.length === 0) return []
  return store
    .prepare<RoleRow>('SELECT * FROM roles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY name_key, id')
    .all(JSON.stringify(ids))
    .map(directoryRole)
}

/** The roles of the users matching `condition`: one pass over the role index, not over the users' rows. */
function rolesHeldWhere(store: Store, condition: RawBuilder<SqlBool>): DirectoryRole[] {
  const held = allRaw(
    store,
    sql<{ id: string }>`SELECT roles.id FROM roles WHERE EXISTS (SELECT 1 FROM users WHERE users.role_id = roles.id AND ${condition})`
  )
  return rolesById(
    store,
    held.map((row) => row.id)
  )
}

function directoryRole(row: RoleRow): DirectoryRole {
  const { id, name, icon, description, adminAccess, appAccess, ipAccess, enforceTfa } = toRole(row)
  return { id, name, icon, description, adminAccess, appAccess, ipAccess, enforceTfa }
}

/** Rows to users, with their pending invite's token and link derived again (nothing usable is stored). */
function directoryUserMapper(store: Store): (row: ExportRow) => DirectoryUser {
  const linkOf = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  const now = store.now().getTime()
  const inviteOf = (row: ExportRow): DirectoryInvite | null => {
    if (row.status !== 'invited' || row.invite_nonce === null || row.invite_expires_at === null || row.invited_at === null) return null
    const token = inviteToken(store.inviteKey, { userId: row.id, nonce: row.invite_nonce, expiresAt: row.invite_expires_at })
    const link = linkOf(token, row.email)
    return {
      token,
      link: link === token ? null : link,
      jti: row.invite_nonce,
      invitedAt: row.invited_at,
      expiresAt: row.invite_expires_at,
      expired: Date.parse(row.invite_expires_at) <= now,
      directusLink: null
    }
  }
  return (row) => ({
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    status: row.status,
    roleId: row.role_id,
    title: row.title,
    location: row.location,
    description: row.description,
    tags: row.tags === '[]' ? [] : parseStringList(row.tags),
    createdAt: row.created_at,
    invite: inviteOf(row)
  })
}

/** From the trigger-kept counts: O(1), no scan before the first row is written. */
function pendingInviteCount(store: Store, roleId: string | null | undefined): number {
  const statement =
    roleId === undefined
      ? store.prepare<{ n: number }>(`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE status = 'invited'`).get()
      : store
          .prepare<{ n: number }>(`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE status = 'invited' AND role_key = ?`)
          .get(roleId ?? '')
  return statement?.n ?? 0
}

const SELECTED_USERS_SQL = `SELECT ${EXPORT_USER_COLUMNS.sql}
  FROM json_each(?) AS wanted JOIN users ON users.id = wanted.value
  ORDER BY wanted.key`

/** Chosen users in the order chosen, a slice of ids per page; ids of deleted users are left out. */
function* selectedUserPages(store: Store, ids: readonly string[], pageSize: number): Generator<ExportRow[]> {
  for (let start = 0; start < ids.length; start += pageSize) {
    yield store.prepare<ExportRow>(SELECTED_USERS_SQL).all(JSON.stringify(ids.slice(start, start + pageSize)))
  }
}

function filteredUserCount(store: Store, filter: UserFilter): number {
  return getRaw(store, sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE ${userFilterCondition(filter)}`)?.n ?? 0
}

/** A pending invite: invited, with a current nonce and expiry (the same rule as `listInvites`). */
const PENDING = sql<SqlBool>`(users.status = 'invited' AND users.invite_nonce IS NOT NULL AND users.invite_expires_at IS NOT NULL)`

/**
 * Users matching a condition in name order, keyset-paged on (sort_name, id): for all pending
 * invites a range of the (status, sort_name, id) index, for a directory filter the same walk
 * the directory's own list makes.
 */
function* filteredPages(store: Store, condition: RawBuilder<SqlBool>, pageSize: number): Generator<ExportRow[]> {
  let after: { name: string; id: string } | null = null
  do {
    const keyset: RawBuilder<SqlBool> =
      after === null ? sql<SqlBool>`1` : sql<SqlBool>`(${SORT_KEY}, users.id) > (${after.name}, ${after.id})`
    const rows: ExportRow[] = allRaw(
      store,
      sql<ExportRow>`SELECT ${sql.raw(EXPORT_USER_COLUMNS.sql)} FROM users
        WHERE ${condition} AND ${keyset}
        ORDER BY ${SORT_KEY}, users.id LIMIT ${pageSize}`
    )
    const last = rows.at(-1)
    after = rows.length === pageSize && last ? { name: last.sort_name, id: last.id } : null
    yield rows
  } while (after !== null)
}

const ROLE_INVITES_SQL = {
  role: `SELECT ${EXPORT_USER_COLUMNS.sql} FROM users
    WHERE users.role_id = ? AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`,
  publicRole: `SELECT ${EXPORT_USER_COLUMNS.sql} FROM users
    WHERE users.role_id IS NULL AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`
} as const

/** One role's (or Public's) pending invites in the order they were created: a range of (role_id, status, rowid). */
function* roleInvitePages(store: Store, roleId: string | null, pageSize: number): Generator<ExportRow[]> {
  let afterRowid = 0
  for (;;) {
    const rows =
      roleId === null
        ? store.prepare<ExportRow>(ROLE_INVITES_SQL.publicRole).all(afterRowid, pageSize)
        : store.prepare<ExportRow>(ROLE_INVITES_SQL.role).all(roleId, afterRowid, pageSize)
    yield rows
    const last = rows.at(-1)
    if (rows.length < pageSize || !last) return
    afterRowid = last.rowid
  }
}

// ---------------------------------------------------------------------------------------------
// Exports

function writerFor(options: ExportOptions, source: ExportSource): HandoffWriter {
  const kind = options.scope.kind === 'users' ? 'users' : 'invites'
  switch (options.format) {
    case 'csv':
      return csvWriter({ kind, roles: source.roles, bom: options.bom })
    case 'json':
      return jsonWriter({ kind, roles: source.roles })
  }
}

/** The whole export as one string: for small exports (the browser host's download, tests). */
export async function exportToString(store: Store, options: ExportOptions): Promise<string> {
  const source = exportSource(store, options.scope)
  const writer = writerFor(options, source)
  const parts = [writer.start()]
  for await (const users of source.pages) parts.push(writer.users(users))
  parts.push(writer.end())
  return parts.join('')
}

const cancelled = (): DomainError => new DomainError('cancelled', 'The export was cancelled; no file was written')

/**
 * Stream an export to `targetPath`: page by page into a temporary file beside it, flushed to
 * disk, then renamed over the target. A failure or a cancel removes the temporary file and
 * leaves the target as it was, so a half file never appears under the chosen name.
 */
export async function exportToFile(
  store: Store,
  options: ExportOptions,
  targetPath: string,
  control: ExportControl = {}
): Promise<ExportResult> {
  const { onProgress, signal } = control
  if (signal?.aborted) throw cancelled()
  const folder = dirname(targetPath)
  const tempPath = join(folder, `.${basename(targetPath)}.${randomBytes(6).toString('hex')}.part`)
  const file = await open(tempPath, 'wx')
  let fileOpen = true
  let rows = 0
  try {
    const source = exportSource(store, options.scope)
    const writer = writerFor(options, source)
    await file.write(writer.start())
    onProgress?.(0, source.total)
    for await (const users of source.pages) {
      if (signal?.aborted) throw cancelled()
      if (users.length > 0) await file.write(writer.users(users))
      rows += users.length
      onProgress?.(rows, Math.max(rows, source.total))
    }
    await file.write(writer.end())
    if (signal?.aborted) throw cancelled()
    await file.sync()
    fileOpen = false
    await file.close()
    await rename(tempPath, targetPath)
  } catch (error) {
    if (fileOpen) await file.close().catch(() => undefined)
    await rm(tempPath, { force: true })
    throw error
  }
  await syncFolder(folder)
  return { rows, path: targetPath }
}
