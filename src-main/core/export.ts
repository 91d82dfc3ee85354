/**
 * Exports: the users a scope names, read from the store page by page as `DirectoryUser`s, and
 * written by a format's streaming writer into a temporary file that is renamed over the target
 * only when complete. Reading and writing meet only in batches, so a 100,000-row export never
 * holds more than one page, and every format (CSV, JSON, the hand-off formats) shares the same
 * scopes, progress, cancel and atomic write.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { z } from 'zod'
import { columns, type RowOf } from './db/columns'
import { parseStringList, type RoleRow, type UserRow } from './db/schema'
import { directusTarget } from './directus-target'
import { DomainError } from './errors'
import { recordActivity } from './activity'
import { csvWriter } from './formats/csv'
import { directusInviteLinker } from './formats/directus-link'
import type { DirectoryInvite, DirectoryRole, DirectoryUser, HandoffFormat, HandoffWriter } from './formats/handoff'
import { jsonWriter } from './formats/json'
import { ldifBaseDnProblem } from './formats/ldif'
import { handoffFormat } from './formats/registry'
import { exportOptions, type ExportOptions, type ExportScope, type UserFilter } from './inputs'
import { chunksFromWorker, exportRing, ExportWorkerOutOfMemory, warmExportWorker, type EncodedChunk } from './export-in-worker'
import { cacheSignatures, inviteIssuer, inviteTokensFor, SEAL_BYTES, type FreshSignature, type InviteTokenRow } from './invite-token-cache'
import { freshInviteFields, inviteLinkBuilder, newInviteNonces } from './invite-tokens'
import {
  EXPORT_FORMAT_INFO,
  EXPORT_REFUSALS_LISTED,
  KEYCLOAK_IF_EXISTS,
  type ExportPreview,
  type ExportFormat,
  type ExportRefusal,
  type ExportResult
} from './model'
import { toRole } from './roles'
import { catchUpRoleIndex, settleRoleIndex } from './role-index'
import { inviteSettings } from './settings'
import { getRaw, allRaw, type Store } from './store'
import { removeStaleTemporaries, syncFolder, temporaryBeside } from './files'
import { SORT_KEY, userFilterCondition } from './user-directory'
import { builtWorker } from './worker-script'

/**
 * Rows read from the store per page: one keyset query, one write to the file. Measured in line
 * on 100,000 invites, pages of 100 took 0.9–2.3 s per format and pages of 1,000 0.8–2.2 s (CSV
 * 0.45 s faster), for the same heap growth. The export worker reads smaller pages
 * (EXPORT_WORKER_PAGE_SIZE), for its bounded heap.
 */
export const EXPORT_PAGE_SIZE = 1000

export interface ExportControl {
  /** Called after the header and after each page: rows written so far, rows expected. */
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
  /** Where the export worker makes the file: the bytes its heap holds, after each chunk. */
  onWorkerHeap?(bytes: number): void
}

// ---------------------------------------------------------------------------------------------
// Reading the store in pages

export interface ExportSource {
  /** Rows expected; a few may change while the export runs, so progress clamps to it. */
  total: number
  /** The roles the exported users hold; for the whole directory, every role. */
  roles: DirectoryRole[]
  pages: AsyncIterable<DirectoryUser[]>
}

/** No filter at all: the whole directory, whose file carries every role, members or not. */
const wholeDirectory = (filter: UserFilter): boolean =>
  filter.search === undefined && filter.roleId === undefined && filter.notInRoleId === undefined && filter.status === undefined

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
  'created_at'
])
/** The seal as text (see `InviteTokenRow`): a string is cheaper to read than a buffer. */
const EXPORT_SELECT = `${EXPORT_USER_COLUMNS.sql}, hex(users.invite_token_seal) AS invite_token_seal`
type ExportRow = RowOf<typeof EXPORT_USER_COLUMNS> & { invite_token_seal: string }
/**
 * Pages in name order also read the name key, for their keyset. Only they do: it is a generated
 * column, worked out from the names for every row read, a fifth of the cost of reading a row.
 */
const NAME_ORDER_SELECT = `${EXPORT_SELECT}, users.sort_name`
type NameOrderRow = ExportRow & Pick<UserRow, 'sort_name'>

export interface ExportSourceOptions {
  pageSize?: number
  /**
   * Where the signatures go that are made for pending invites without a kept one (seeded,
   * imported, renewed, or their claims changed): by default into the store's token cache.
   */
  keepSignatures?: (signed: FreshSignature[]) => void
  /**
   * Sign each pending invite a link in Directus's own format too, when a Directus target is set
   * (Settings → Directus target): for the Directus hand-off file.
   */
  directusLinks?: boolean
  /** Make each pending invite's token and link (false for formats that carry neither). Default true. */
  inviteTokens?: boolean
}

export function exportSource(store: Store, scope: ExportScope, options: ExportSourceOptions = {}): ExportSource {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE
  const toUsers = directoryUserMapper(store, {
    directusLinks: options.directusLinks === true,
    inviteTokens: options.inviteTokens !== false,
    ...(options.keepSignatures && { keepSignatures: options.keepSignatures })
  })
  const mapped = async function* (pages: Iterable<ExportRow[]>): AsyncGenerator<DirectoryUser[]> {
    for (const rows of pages) yield await toUsers(rows)
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
    case 'inviteBatch': {
      const ids = [...new Set(scope.userIds)]
      const wanted = sql<SqlBool>`users.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND ${PENDING}`
      return {
        total: getRaw(store, sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE ${wanted}`)?.n ?? 0,
        roles: rolesHeldWhere(store, wanted),
        pages: mapped(selectedUserPages(store, ids, pageSize, SELECTED_INVITES_SQL))
      }
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
        roles: wholeDirectory(scope.selection.filter) ? allRoles(store) : rolesHeldWhere(store, condition),
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

function allRoles(store: Store): DirectoryRole[] {
  return store.prepare<RoleRow>('SELECT * FROM roles ORDER BY name_key, id').all().map(directoryRole)
}

/** The roles of the users matching `condition`: one pass over the role index, not over the users' rows. */
function rolesHeldWhere(store: Store, condition: RawBuilder<SqlBool>): DirectoryRole[] {
  const held = allRaw(
    store,
    sql<Pick<RoleRow, 'id'>>`SELECT roles.id FROM roles
      WHERE EXISTS (SELECT 1 FROM users WHERE users.indexed_role_id = roles.id AND ${condition})`
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

/** A pending invite's row: what its token is made from is all there. */
function isPending(row: ExportRow): row is ExportRow & InviteTokenRow {
  return row.status === 'invited' && row.invite_nonce !== null && row.invite_expires_at !== null && row.invited_at !== null
}

/**
 * A page of rows to users, with each pending invite's token and link: unsealed from the token
 * cache, or (for invites never signed yet, such as seeded or imported ones) signed for the whole
 * page at once and cached for the next export.
 */
function directoryUserMapper(
  store: Store,
  made: { directusLinks: boolean; inviteTokens: boolean; keepSignatures?: (signed: FreshSignature[]) => void }
): (rows: readonly ExportRow[]) => Promise<DirectoryUser[]> {
  const linkOf = inviteLinkBuilder(inviteSettings(store).inviteUrlTemplate)
  const now = store.now().getTime()
  const target = made.directusLinks ? directusTarget(store) : null
  const directusLinkOf = target ? directusInviteLinker(target, store.now()) : null
  return async (rows) => {
    const pending = rows.filter(isPending)
    const [tokens, links] = await Promise.all([
      made.inviteTokens ? inviteTokensFor(store, pending, made.keepSignatures) : [],
      directusLinkOf ? Promise.all(pending.map((row) => directusLinkOf({ email: row.email, expiresAt: row.invite_expires_at }))) : []
    ])
    let next = 0
    return rows.map((row) => {
      let invite: DirectoryInvite | null = null
      // `pending` holds the pending rows in page order, so their tokens come in that order too.
      if (isPending(row)) {
        const directusLink = links[next] ?? null
        const token = tokens[next++] ?? ''
        const link = made.inviteTokens ? linkOf(token, row.email) : token
        invite = {
          token,
          link: link === token ? null : link,
          jti: row.invite_nonce,
          invitedAt: row.invited_at,
          expiresAt: row.invite_expires_at,
          expired: Date.parse(row.invite_expires_at) <= now,
          directusLink
        }
      }
      return {
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
        invite
      }
    })
  }
}

/**
 * What a format's file needs made for each pending invite: Directus files carry Directus-format
 * links (when a target is set) and no Rolekeeper tokens; LDIF carries no invite at all (a
 * directory is read by many, and a token is a bearer secret).
 */
function sourceOptionsFor(format: ExportFormat): ExportSourceOptions {
  return { directusLinks: format === 'directus', inviteTokens: format !== 'directus' && format !== 'ldif' }
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

const SELECTED_USERS_SQL = `SELECT ${EXPORT_SELECT}
  FROM json_each(?) AS wanted JOIN users ON users.id = wanted.value
  ORDER BY wanted.key`

/** The same, keeping only pending invites (the rule of PENDING below). */
const SELECTED_INVITES_SQL = `SELECT ${EXPORT_SELECT}
  FROM json_each(?) AS wanted JOIN users ON users.id = wanted.value
  WHERE users.status = 'invited' AND users.invite_nonce IS NOT NULL AND users.invite_expires_at IS NOT NULL
  ORDER BY wanted.key`

/** Chosen users in the order chosen, a slice of ids per page; ids of deleted users are left out. */
function* selectedUserPages(store: Store, ids: readonly string[], pageSize: number, query = SELECTED_USERS_SQL): Generator<ExportRow[]> {
  for (let start = 0; start < ids.length; start += pageSize) {
    yield store.prepare<ExportRow>(query).all(JSON.stringify(ids.slice(start, start + pageSize)))
  }
}

function filteredUserCount(store: Store, filter: UserFilter): number {
  return getRaw(store, sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE ${userFilterCondition(filter)}`)?.n ?? 0
}

/** A pending invite: invited, with a current nonce and expiry (the same rule as `listInvites`). */
const PENDING = sql<SqlBool>`(users.status = 'invited' AND users.invite_nonce IS NOT NULL AND users.invite_expires_at IS NOT NULL
  AND users.invited_at IS NOT NULL)`

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
    const rows: NameOrderRow[] = allRaw(
      store,
      sql<NameOrderRow>`SELECT ${sql.raw(NAME_ORDER_SELECT)} FROM users
        WHERE ${condition} AND ${keyset}
        ORDER BY ${SORT_KEY}, users.id LIMIT ${pageSize}`
    )
    const last = rows.at(-1)
    after = rows.length === pageSize && last ? { name: last.sort_name, id: last.id } : null
    yield rows
  } while (after !== null)
}

const ROLE_INVITES_SQL = {
  role: `SELECT ${EXPORT_SELECT} FROM users
    WHERE users.indexed_role_id = ? AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.invited_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`,
  publicRole: `SELECT ${EXPORT_SELECT} FROM users
    WHERE users.indexed_role_id IS NULL AND users.status = 'invited' AND users.invite_nonce IS NOT NULL
      AND users.invite_expires_at IS NOT NULL AND users.invited_at IS NOT NULL AND users.rowid > ?
    ORDER BY users.rowid LIMIT ?`
} as const

/**
 * One role's (or Public's) pending invites in the order they were created: a range of
 * (indexed_role_id, status, rowid), which the export settled before it began (role-index.ts).
 */
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
// What goes out

/** Options as a caller writes them (defaults may be left out). */
export type ExportRequest = z.input<typeof exportOptions>

/** The options with the defaults filled in, and those that depend on the format checked. */
function checkedOptions(request: ExportRequest): ExportOptions {
  const options = exportOptions.parse(request)
  if (options.format === 'ldif') {
    const problem = ldifBaseDnProblem(options.ldifBaseDn ?? '')
    if (problem !== null) throw new DomainError('validation', problem, { ldifBaseDn: problem })
  }
  return options
}

/** The format's writer, told what the whole file holds before the first user. */
function writerFor(store: Store, options: ExportOptions, source: ExportSource, format: HandoffFormat | null): HandoffWriter {
  const kind = options.scope.kind === 'users' ? 'users' : 'invites'
  if (format) {
    return format.writer({
      roles: source.roles,
      directoryId: inviteIssuer(store),
      exportedAt: store.now().toISOString(),
      options: { baseDn: options.ldifBaseDn ?? '', ifResourceExists: options.keycloakIfExists }
    })
  }
  return options.format === 'csv' ? csvWriter({ kind, roles: source.roles, bom: options.bom }) : jsonWriter({ kind, roles: source.roles })
}

/** Expired invites never go out as pending: in an invite export they were renewed first, or are left out. */
const invitesOnly = (scope: ExportScope): boolean => scope.kind !== 'users'

/**
 * The users that go into the file: without expired invites in an invite export, and without
 * those the target refuses when the admin agreed to leave them out.
 */
function keeper(options: ExportOptions, format: HandoffFormat | null): (user: DirectoryUser) => boolean {
  const dropExpired = invitesOnly(options.scope)
  const dropRefused = options.leaveOutRefused && format !== null
  return (user) => !(dropExpired && user.invite?.expired === true) && !(dropRefused && format?.refuseUser(user) !== null)
}

// ---------------------------------------------------------------------------------------------
// Before writing: what the file will hold and what the target will refuse

const REMEMBERED = { ldifBaseDn: 'export.ldifBaseDn', keycloakIfExists: 'export.keycloakIfExists' } as const

function remembered(store: Store): ExportPreview['remembered'] {
  const read = (key: string): unknown => {
    const row = store.prepare<{ value: string }>('SELECT value FROM settings WHERE key = ?').get(key)
    try {
      return row ? JSON.parse(row.value) : null
    } catch {
      return null
    }
  }
  const baseDn = read(REMEMBERED.ldifBaseDn)
  const ifExists = read(REMEMBERED.keycloakIfExists)
  return {
    ldifBaseDn: typeof baseDn === 'string' ? baseDn : null,
    keycloakIfExists: KEYCLOAK_IF_EXISTS.find((choice) => choice === ifExists) ?? 'SKIP'
  }
}

/** The choices to offer again next time, kept with the database they were made for. */
function remember(store: Store, options: ExportOptions): void {
  const write = store.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
  if (options.format === 'ldif' && options.ldifBaseDn) write.run(REMEMBERED.ldifBaseDn, JSON.stringify(options.ldifBaseDn))
  if (options.format === 'keycloak') write.run(REMEMBERED.keycloakIfExists, JSON.stringify(options.keycloakIfExists))
}

/**
 * What an export would hold, read once through the same pages the export writes: how many
 * users, how many of the pending invites have expired, and who and what the target refuses.
 * Nothing is written (the role index may catch up first, role-index.ts: no user changes).
 */
export async function previewExport(store: Store, request: ExportRequest): Promise<ExportPreview> {
  const options = checkedOptions(request)
  await catchUpRoleIndex(store)
  settleRoleIndex(store)
  // The export this preview is shown for is likely made in the worker: start it now, so that its
  // start (about half a second) passes while the admin reads the preview, not after Export.
  const script = exportWorkerScript(store)
  if (script !== null) warmExportWorker(script)
  const format = handoffFormat(options.format)
  const source = exportSource(store, options.scope, { inviteTokens: false })
  const listed: ExportRefusal[] = []
  let users = 0
  let refusedUsers = 0
  let expiredInvites = 0
  const members = new Map<string, number>()
  for await (const page of source.pages) {
    for (const user of page) {
      users++
      if (user.invite?.expired) expiredInvites++
      if (user.roleId !== null) members.set(user.roleId, (members.get(user.roleId) ?? 0) + 1)
      const reason = format?.refuseUser(user) ?? null
      if (reason === null) continue
      refusedUsers++
      if (listed.length < EXPORT_REFUSALS_LISTED) listed.push({ kind: 'user', label: user.email, reason })
    }
  }
  let refusedRoles = 0
  for (const role of source.roles) {
    const reason = format?.refuseRole(role, members.get(role.id) ?? 0) ?? null
    if (reason === null) continue
    refusedRoles++
    if (listed.length < EXPORT_REFUSALS_LISTED) listed.push({ kind: 'role', label: role.name, reason })
  }
  return { total: users, expiredInvites, refusals: { users: refusedUsers, roles: refusedRoles, listed }, remembered: remembered(store) }
}

/**
 * Renew the expired pending invites an invite export holds, as Resend does (a new nonce, so the
 * old link dies, and a new expiry), in one transaction, before the export reads them.
 */
function renewExpiredInvites(store: Store, scope: ExportScope): number {
  if (scope.kind === 'users') return 0
  const now = store.now().toISOString()
  const where =
    scope.kind === 'allInvites'
      ? sql<SqlBool>`1`
      : scope.kind === 'inviteBatch'
        ? sql<SqlBool>`users.id IN (SELECT value FROM json_each(${JSON.stringify(scope.userIds)}))`
        : scope.roleId === null
          ? sql<SqlBool>`users.indexed_role_id IS NULL`
          : sql<SqlBool>`users.indexed_role_id = ${scope.roleId}`
  return store.transaction(() => {
    const expired = allRaw(
      store,
      sql<{ id: string; invite_expires_at: string }>`SELECT users.id, users.invite_expires_at FROM users
        WHERE ${PENDING} AND users.invite_expires_at <= ${now} AND ${where}`
    )
    if (expired.length === 0) return 0
    const { invited_at, invite_expires_at } = freshInviteFields(store)
    const nonces = newInviteNonces(expired.length)
    const renew = store.prepare(
      'UPDATE users SET invite_nonce = ?, invited_at = ?, invite_expires_at = ?, updated_at = ?, last_changed_by = ? WHERE id = ?'
    )
    expired.forEach((user, index) => renew.run(nonces[index], invited_at, invite_expires_at, now, store.actor, user.id))
    recordActivity(store, {
      action: 'user.invite.resend',
      collection: 'users',
      recordIds: expired.map((user) => user.id),
      summary: `Renewed ${expired.length} expired ${expired.length === 1 ? 'invite' : 'invites'} before an export`,
      before: { inviteExpiresAt: expired.slice(0, 1000).map((user) => user.invite_expires_at) },
      after: { invitedAt: invited_at, inviteExpiresAt: invite_expires_at }
    })
    return expired.length
  })
}

// ---------------------------------------------------------------------------------------------
// Exports

/** The whole export as one string: for small exports (the browser host's download, tests). */
export async function exportToString(store: Store, request: ExportRequest): Promise<string> {
  const options = checkedOptions(request)
  await catchUpRoleIndex(store)
  settleRoleIndex(store)
  if (options.expiredInvites === 'renew') renewExpiredInvites(store, options.scope)
  const parts: string[] = []
  for await (const chunk of exportChunks(store, options)) parts.push(...chunk.text)
  return parts.join('')
}

/** A piece of an export's file in order: its header, one page's users, or its end. */
export interface ExportChunk {
  kind: 'start' | 'page' | 'end'
  /** Its text, in pieces (a page's users `WRITE_PIECE` at a time), one after another. */
  text: readonly string[]
  /** Rows read so far, and expected in all (never fewer than read). */
  read: number
  total: number
  /** Users written so far. */
  rows: number
}

/**
 * Users a writer is given at a time: a page's text comes in pieces. Made at once, a page of 250
 * SCIM users is one string of about 340,000 characters built of 500 smaller ones, which V8 first
 * copies whole into a new, large string to encode it; in pieces of 25 users each is encoded as it
 * is. Encoding 400 pages of 250 SCIM-like operations (110 MB) took 60–90 ms as one string each,
 * 12–16 ms in pieces, and in the export worker the heap peaked 2–7 MB lower.
 */
const WRITE_PIECE = 25

/**
 * The file an export writes, piece by piece: what runs in line and in the export worker alike
 * (which reads smaller pages, see EXPORT_WORKER_PAGE_SIZE, and hands the signatures it makes
 * to the main thread).
 */
export async function* exportChunks(
  store: Store,
  options: ExportOptions,
  made: Pick<ExportSourceOptions, 'pageSize' | 'keepSignatures'> = {}
): AsyncGenerator<ExportChunk> {
  const format = handoffFormat(options.format)
  const source = exportSource(store, options.scope, { ...sourceOptionsFor(options.format), ...made })
  const writer = writerFor(store, options, source, format)
  const keep = keeper(options, format)
  let read = 0
  let rows = 0
  yield { kind: 'start', text: [writer.start()], read, total: source.total, rows }
  for await (const page of source.pages) {
    read += page.length
    const users = page.filter(keep)
    rows += users.length
    const text: string[] = []
    for (let at = 0; at < users.length; at += WRITE_PIECE) text.push(writer.users(users.slice(at, at + WRITE_PIECE)))
    yield { kind: 'page', text, read, total: Math.max(read, source.total), rows }
  }
  yield { kind: 'end', text: [writer.end()], read, total: Math.max(read, source.total), rows }
}

/**
 * The export worker's script when this export is made there: where a worker is built and the
 * database is a file it can open, unless most of the export's invites still need signing.
 */
function workerFor(store: Store, options: ExportOptions): URL | null {
  const script = exportWorkerScript(store)
  if (script === null) return null
  if (sourceOptionsFor(options.format).inviteTokens !== false && mostlyUnsigned(store, options.scope)) return null
  return script
}

/** The export worker's script, where one is built and the database is a file it can open. */
function exportWorkerScript(store: Store): URL | null {
  return store.snapshot() === null ? null : builtWorker('export-worker')
}

/** Pending invites read to tell whether most of an export's invites need signing. */
const SIGNING_SAMPLE = 256

/**
 * Whether most of a sample of the pending invites in `scope` have no kept signature (seeded or
 * imported ones, which have never been signed). Those are signed faster in line, in the pages
 * of 1,000 the thread pool then signs at once, with nothing else running (measured on 100,000:
 * 4.4–4.7 s in line, 6.0–6.1 s in the worker); the few an export meets otherwise the worker signs.
 */
function mostlyUnsigned(store: Store, scope: ExportScope): boolean {
  const ids = (list: readonly string[]): RawBuilder<SqlBool> =>
    sql<SqlBool>`users.id IN (SELECT value FROM json_each(${JSON.stringify(list)}))`
  const where =
    scope.kind === 'allInvites'
      ? sql<SqlBool>`1`
      : scope.kind === 'inviteBatch'
        ? ids(scope.userIds)
        : scope.kind === 'roleInvites'
          ? scope.roleId === null
            ? sql<SqlBool>`users.indexed_role_id IS NULL`
            : sql<SqlBool>`users.indexed_role_id = ${scope.roleId}`
          : 'ids' in scope.selection
            ? ids(scope.selection.ids)
            : userFilterCondition(scope.selection.filter)
  const unsealed = sql<SqlBool>`(users.invite_token_seal IS NULL OR length(users.invite_token_seal) != ${SEAL_BYTES}
    OR users.invite_token_seal = zeroblob(${SEAL_BYTES}))`
  const sample = getRaw(
    store,
    sql<{ sampled: number; unsealed: number }>`SELECT count(*) AS sampled, coalesce(sum(unsealed), 0) AS unsealed
      FROM (SELECT ${unsealed} AS unsealed FROM users WHERE ${PENDING} AND ${where} LIMIT ${SIGNING_SAMPLE})`
  )
  return sample !== undefined && sample.unsealed * 2 > sample.sampled
}

/** The chunks as they come, keeping the signatures the worker made for them in the store's token cache. */
async function* keepingSignatures(store: Store, chunks: AsyncIterable<EncodedChunk>): AsyncGenerator<EncodedChunk> {
  for await (const chunk of chunks) {
    cacheSignatures(store, chunk.signed)
    yield chunk
  }
}

/** Bytes written between two flushes to disk started while the export goes on. */
const FLUSH_EVERY_BYTES = 16 * 1024 * 1024

/**
 * Writes to a file that overlap the work of the next page: `write` waits only for the previous
 * write, so the thread pool writes a page while the main thread reads and formats the next one;
 * and every `FLUSH_EVERY_BYTES` a flush to disk is started in the background, so the final
 * `sync` of a 100 MB file does not have all of it to write at once. At most one page's text is
 * held beyond the one being made.
 */
function overlappedWriter(file: FileHandle): {
  /** Start writing `text` once the write before it is done; `written` is called when it is in the file. */
  write(text: string | Uint8Array, written?: () => void): Promise<void>
  finish(): Promise<void>
  settle(): Promise<void>
} {
  let writing: Promise<unknown> = Promise.resolve()
  let flushing: Promise<unknown> | null = null
  let unflushed = 0
  // A failure is thrown where it is next awaited; until then it must not count as unhandled.
  const quiet = (promise: Promise<unknown>): Promise<unknown> => {
    promise.catch(() => undefined)
    return promise
  }
  return {
    async write(text, written) {
      await writing
      if (text.length === 0) {
        written?.()
        return
      }
      const bytes = typeof text === 'string' ? Buffer.from(text) : text
      writing = quiet(file.write(bytes).then(() => written?.()))
      unflushed += bytes.length
      if (unflushed >= FLUSH_EVERY_BYTES && flushing === null) {
        unflushed = 0
        flushing = quiet(
          writing
            .then(() => file.datasync())
            .finally(() => {
              flushing = null
            })
        )
      }
    },
    async finish() {
      await writing
      await flushing
    },
    async settle() {
      await Promise.allSettled([writing, flushing])
    }
  }
}

const cancelled = (): DomainError => new DomainError('cancelled', 'The export was cancelled; no file was written')

/**
 * Write `chunks()` into a temporary file beside `targetPath`, flushed to disk, then renamed over
 * it: the users written. On a failure or a cancel the temporary file is removed.
 */
async function writeExportFile(
  targetPath: string,
  control: ExportControl,
  chunks: () => AsyncIterable<ExportChunk | EncodedChunk>
): Promise<number> {
  const { onProgress, signal } = control
  const temporary = temporaryBeside(targetPath)
  const tempPath = temporary.path
  let file: FileHandle
  try {
    file = await open(tempPath, 'wx')
  } catch (error) {
    temporary.release()
    throw error
  }
  let fileOpen = true
  let rows = 0
  const output = overlappedWriter(file)
  try {
    for await (const chunk of chunks()) {
      if (signal?.aborted) throw cancelled()
      await output.write(
        chunk.text instanceof Uint8Array ? chunk.text : chunk.text.join(''),
        'release' in chunk ? chunk.release : undefined
      )
      rows = chunk.rows
      if (chunk.kind !== 'end') onProgress?.(chunk.read, chunk.total)
    }
    await output.finish()
    if (signal?.aborted) throw cancelled()
    await file.sync()
    fileOpen = false
    await file.close()
    await rename(tempPath, targetPath)
    return rows
  } catch (error) {
    await output.settle()
    if (fileOpen) await file.close().catch(() => undefined)
    await rm(tempPath, { force: true })
    throw error
  } finally {
    temporary.release()
  }
}

/**
 * Stream an export to `targetPath`: page by page into a temporary file beside it, flushed to
 * disk, then renamed over the target. A failure or a cancel removes the temporary file and
 * leaves the target as it was, so a half file never appears under the chosen name. The file is
 * made by the export worker where it can be (export-in-worker.ts), else in line. A finished
 * export is recorded in the activity log.
 */
export async function exportToFile(
  store: Store,
  request: ExportRequest,
  targetPath: string,
  control: ExportControl = {}
): Promise<ExportResult> {
  const options = checkedOptions(request)
  if (control.signal?.aborted) throw cancelled()
  const folder = dirname(targetPath)
  await removeStaleTemporaries(folder)
  await catchUpRoleIndex(store)
  let renewed = 0
  let rows: number
  try {
    rows = await writeExportFile(targetPath, control, () => {
      settleRoleIndex(store)
      if (options.expiredInvites === 'renew') renewed = renewExpiredInvites(store, options.scope)
      // Asked after renewing: renewed invites need signing too.
      const script = workerFor(store, options)
      if (!script) return exportChunks(store, options)
      const request = {
        ring: exportRing(),
        file: store.file,
        options,
        keys: store.inviteKeys,
        directusTarget: directusTarget(store),
        now: store.now().toISOString()
      }
      return keepingSignatures(store, chunksFromWorker(script, request, control))
    })
  } catch (error) {
    if (!(error instanceof ExportWorkerOutOfMemory)) throw error
    rows = await writeExportFile(targetPath, control, () => exportChunks(store, options))
  }
  await syncFolder(folder)
  store.transaction(() => {
    remember(store, options)
    recordActivity(store, {
      action: 'user.export',
      collection: 'users',
      recordIds: options.scope.kind === 'roleInvites' && options.scope.roleId !== null ? [options.scope.roleId] : [],
      summary: `Exported ${rows} ${rows === 1 ? 'user' : 'users'} as ${EXPORT_FORMAT_INFO[options.format].label} to ${basename(targetPath)}`,
      after: { format: options.format, scope: options.scope, rows, renewedExpiredInvites: renewed, leftOutRefused: options.leaveOutRefused }
    })
  })
  return { rows, path: targetPath }
}
