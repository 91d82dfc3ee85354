import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import { syncFolder } from './files'
import { DomainError } from './errors'
import { inviteLinkBuilder, inviteToken } from './invite-tokens'
import type { UserStatus } from './model'
import { inviteSettings } from './settings'
import type { Store } from './store'
import type { ExportOptions, ExportScope, UserFilter } from './inputs'
import { INVITE_EXPORT_COLUMNS, USER_EXPORT_COLUMNS, type ExportColumn, type ExportResult } from './model'
import { userFilterCondition } from './user-directory'

/** Rows read from the store per page: one keyset query, one write to the file. */
export const EXPORT_PAGE_SIZE = 1000

/** One exported row; `tags` and the profile columns only in user exports. */
type ExportRecord = Partial<Record<ExportColumn, string | string[] | null>>

export interface ExportControl {
  /** Called after the header and after each page: rows written so far, rows expected. */
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
}

// ---------------------------------------------------------------------------------------------
// Reading the store in pages

interface ExportSource {
  columns: readonly ExportColumn[]
  /** Rows expected; a few may change while the export runs, so progress clamps to it. */
  total: number
  pages: Iterable<ExportRecord[]>
}

function sourceOf(store: Store, scope: ExportScope, pageSize: number): ExportSource {
  switch (scope.kind) {
    case 'roleInvites':
      return {
        columns: INVITE_EXPORT_COLUMNS,
        total: pendingInviteCount(store, scope.roleId),
        pages: roleInvitePages(store, scope.roleId, pageSize)
      }
    case 'allInvites':
      return {
        columns: INVITE_EXPORT_COLUMNS,
        total: pendingInviteCount(store, undefined),
        pages: filteredPages(store, PENDING, pageSize)
      }
    case 'users':
      if ('ids' in scope.selection) {
        const ids = [...new Set(scope.selection.ids)]
        return { columns: USER_EXPORT_COLUMNS, total: ids.length, pages: selectedUserPages(store, ids, pageSize) }
      }
      return {
        columns: USER_EXPORT_COLUMNS,
        total: filteredUserCount(store, scope.selection.filter),
        pages: filteredPages(store, userFilterCondition(scope.selection.filter), pageSize)
      }
  }
}

/** From the trigger-kept counts: O(1), no scan before the first row is written. */
function pendingInviteCount(store: Store, roleId: string | null | undefined): number {
  const row =
    roleId === undefined
      ? store.prepare(`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE status = 'invited'`).get()
      : store.prepare(`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE status = 'invited' AND role_key = ?`).get(roleId ?? '')
  return (row as { n: number }).n // one aggregate row, always present
}

interface UserExportSqlRow {
  id: string
  email: string
  first_name: string | null
  last_name: string | null
  role_name: string | null
  status: UserStatus
  invited_at: string | null
  invite_expires_at: string | null
  invite_nonce: string | null
  title: string | null
  location: string | null
  description: string | null
  tags: string
  created_at: string
  sort_name: string
}

const USER_EXPORT_COLUMNS_SQL = `users.id, users.email, users.first_name, users.last_name, roles.name AS role_name,
  users.status, users.invited_at, users.invite_expires_at, users.invite_nonce, users.title, users.location,
  users.description, users.tags, users.created_at, users.sort_name AS sort_name`

type LinkBuilder = (token: string, email: string) => string

function userRecords(store: Store, rows: UserExportSqlRow[], linkOf: LinkBuilder): ExportRecord[] {
  return rows.map((row): ExportRecord => {
    let link: string | null = null
    if (row.status === 'invited' && row.invite_nonce !== null && row.invite_expires_at !== null) {
      const token = inviteToken(store.inviteKey, {
        userId: row.id,
        nonce: row.invite_nonce,
        expiresAt: row.invite_expires_at
      })
      link = linkOf(token, row.email)
    }
    return {
      email: row.email,
      first_name: row.first_name,
      last_name: row.last_name,
      role: row.role_name,
      status: row.status,
      invited_at: row.invited_at,
      invite_expires_at: row.invite_expires_at,
      invite_link: link,
      title: row.title,
      location: row.location,
      description: row.description,
      tags: row.tags === '[]' ? [] : parseTags(row.tags),
      created_at: row.created_at
    }
  })
}

function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json)
    return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : []
  } catch {
    return []
  }
}

const SELECTED_USERS_SQL = `SELECT ${USER_EXPORT_COLUMNS_SQL}
  FROM json_each(?) AS wanted JOIN users ON users.id = wanted.value LEFT JOIN roles ON roles.id = users.role_id
  ORDER BY wanted.key`

/** Chosen users in the order chosen, a slice of ids per page; ids of deleted users are left out. */
function* selectedUserPages(store: Store, ids: readonly string[], pageSize: number): Generator<ExportRecord[]> {
  const linkOf = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  for (let start = 0; start < ids.length; start += pageSize) {
    const slice = JSON.stringify(ids.slice(start, start + pageSize))
    const rows = store.prepare(SELECTED_USERS_SQL).all(slice) as UserExportSqlRow[] // USER_EXPORT_COLUMNS_SQL
    yield userRecords(store, rows, linkOf)
  }
}

function filteredUserCount(store: Store, filter: UserFilter): number {
  const compiled = sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE ${userFilterCondition(filter)}`.compile(store.db)
  const row = store.prepare(compiled.sql).get(...compiled.parameters) as { n: number } // one aggregate row
  return row.n
}

/** A pending invite: invited, with a current nonce and expiry (the same rule as `listInvites`). */
const PENDING = sql<SqlBool>`(users.status = 'invited' AND users.invite_nonce IS NOT NULL AND users.invite_expires_at IS NOT NULL)`

/**
 * Users matching a condition in name order, keyset-paged on (sort_name, id): for all pending
 * invites a range of the (status, sort_name, id) index, for a directory filter the same walk
 * the directory's own list makes.
 */
function* filteredPages(store: Store, condition: RawBuilder<SqlBool>, pageSize: number): Generator<ExportRecord[]> {
  const linkOf = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  let after: { name: string; id: string } | null = null
  do {
    const keyset = after === null ? sql<SqlBool>`1` : sql<SqlBool>`(users.sort_name, users.id) > (${after.name}, ${after.id})`
    const compiled = sql<UserExportSqlRow>`SELECT ${sql.raw(USER_EXPORT_COLUMNS_SQL)}
      FROM users LEFT JOIN roles ON roles.id = users.role_id
      WHERE ${condition} AND ${keyset}
      ORDER BY users.sort_name, users.id LIMIT ${pageSize}`.compile(store.db)
    const rows = store.prepare(compiled.sql).all(...compiled.parameters) as UserExportSqlRow[] // the columns above
    const last = rows.at(-1)
    after = rows.length === pageSize && last ? { name: last.sort_name, id: last.id } : null
    yield userRecords(store, rows, linkOf)
  } while (after !== null)
}

const ROLE_INVITES_SQL = {
  role: `SELECT ${USER_EXPORT_COLUMNS_SQL}, users.rowid AS rowid
    FROM users LEFT JOIN roles ON roles.id = users.role_id
    WHERE users.role_id = ? AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`,
  publicRole: `SELECT ${USER_EXPORT_COLUMNS_SQL}, users.rowid AS rowid
    FROM users LEFT JOIN roles ON roles.id = users.role_id
    WHERE users.role_id IS NULL AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`
} as const

/** One role's (or Public's) pending invites in the order they were created: a range of (role_id, status, rowid). */
function* roleInvitePages(store: Store, roleId: string | null, pageSize: number): Generator<ExportRecord[]> {
  const linkOf = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  let afterRowid = 0
  for (;;) {
    const rows = (
      roleId === null
        ? store.prepare(ROLE_INVITES_SQL.publicRole).all(afterRowid, pageSize)
        : store.prepare(ROLE_INVITES_SQL.role).all(roleId, afterRowid, pageSize)
    ) as Array<UserExportSqlRow & { rowid: number }> // the columns above
    yield userRecords(store, rows, linkOf)
    const last = rows.at(-1)
    if (rows.length < pageSize || !last) return
    afterRowid = last.rowid
  }
}

// ---------------------------------------------------------------------------------------------
// Writing CSV and JSON

/** Characters that make a spreadsheet read a cell as a formula (or hide where it starts). */
const FORMULA_START = /^[=+\-@\t\r\n]/

/** A cell a spreadsheet would run as a formula gets a leading apostrophe: it shows as text. */
export function neutraliseCell(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell
}

function csvCell(value: string | string[] | null | undefined): string {
  if (value === null || value === undefined) return ''
  return neutraliseCell(Array.isArray(value) ? value.join('; ') : value)
}

const CSV_OPTIONS = {
  // RFC 4180 line breaks; a lone CR or LF inside a cell must be quoted too, not only CRLF.
  record_delimiter: 'windows',
  quoted_match: /[\r\n]/
} as const

const BOM = '\uFEFF'

interface Serializer {
  start(): string
  page(records: readonly ExportRecord[]): string
  end(): string
}

function serializer(options: ExportOptions, columns: readonly ExportColumn[]): Serializer {
  if (options.format === 'csv') {
    return {
      start: () => (options.bom ? BOM : '') + stringify([[...columns]], CSV_OPTIONS),
      page: (records) =>
        records.length === 0
          ? ''
          : stringify(
              records.map((record) => columns.map((column) => csvCell(record[column]))),
              CSV_OPTIONS
            ),
      end: () => ''
    }
  }
  let first = true
  return {
    start: () => '[',
    page: (records) => {
      let text = ''
      for (const record of records) {
        const object: Record<string, string | string[] | null> = {}
        for (const column of columns) object[column] = record[column] ?? null
        text += (first ? '\n' : ',\n') + JSON.stringify(object)
        first = false
      }
      return text
    },
    end: () => (first ? ']\n' : '\n]\n')
  }
}

// ---------------------------------------------------------------------------------------------
// Exports

/** The whole export as one string: for small exports (the browser host's download, tests). */
export function exportToString(store: Store, options: ExportOptions): string {
  const source = sourceOf(store, options.scope, EXPORT_PAGE_SIZE)
  const writer = serializer(options, source.columns)
  const parts = [writer.start()]
  for (const records of source.pages) parts.push(writer.page(records))
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
    const source = sourceOf(store, options.scope, EXPORT_PAGE_SIZE)
    const writer = serializer(options, source.columns)
    await file.write(writer.start())
    onProgress?.(0, source.total)
    for (const records of source.pages) {
      if (signal?.aborted) throw cancelled()
      if (records.length > 0) await file.write(writer.page(records))
      rows += records.length
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
