import { randomUUID } from 'node:crypto'
import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { CallOutput, ParsedInput } from '../ipc/contract'
import { recordActivity } from './activity'
import { countActiveAdmins, ensureAdminRemains } from './admins'
import { decodeCursor, encodeCursor } from './cursor'
import type { UserRow } from './db/schema'
import { checkEmail } from './email'
import { DomainError, notFound } from './errors'
import { USER_STATUSES, type User, type UserCounts, type UserPage, type UserSortField, type UserStatus } from './model'
import { freshInviteFields, newInviteNonces } from './invite-tokens'
import { hashPassword } from './passwords'
import { requireRoleRow } from './roles'
import { passwordChecker } from './settings'
import type { Store } from './store'

/** `listUsers` counts at most this many matches of a search; beyond it the total is "100,000+". */
export const TOTAL_CAP = 100_000

export type UserFilter = ParsedInput<'listUsers'>['filter']
export type UserSelection = ParsedInput<'deleteUsers'>['selection']
/** A user as the admin filled it in, before it is written. */
export type UserDraft = ParsedInput<'saveRoleChanges'>['create'][number]

/** A users row with its role's name, as the list queries return it. */
export type UserRowWithRole = UserRow & { role_name: string | null }

// ---------------------------------------------------------------------------------------------
// Mapping

export function toUser(row: UserRow, roleName: string | null): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    status: row.status,
    roleId: row.role_id,
    roleName: row.role_id === null ? null : roleName,
    hasPassword: row.password_hash !== null,
    title: row.title,
    location: row.location,
    description: row.description,
    tags: parseTags(row.tags),
    invitedAt: row.invited_at,
    inviteExpiresAt: row.invite_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastChangedBy: row.last_changed_by
  }
}

function parseTags(json: string): string[] {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : []
}

const USER_WITH_ROLE_SQL = `SELECT users.*, users.sort_name AS sort_name, roles.name AS role_name
  FROM json_each(?) AS wanted
  JOIN users ON users.id = wanted.value
  LEFT JOIN roles ON roles.id = users.role_id
  ORDER BY wanted.key`

/** The users with these ids, in the order given; unknown ids are left out. */
export function loadUsers(store: Store, ids: readonly string[]): User[] {
  if (ids.length === 0) return []
  const rows = store.prepare(USER_WITH_ROLE_SQL).all(JSON.stringify(ids)) as UserRowWithRole[] // users.* + role_name
  return rows.map((row) => toUser(row, row.role_name))
}

function requireUserRow(store: Store, id: string): UserRowWithRole {
  const row = store.prepare(USER_WITH_ROLE_SQL).get(JSON.stringify([id])) as UserRowWithRole | undefined
  if (!row) throw notFound('User', id)
  return row
}

export function getUser(store: Store, input: ParsedInput<'getUser'>): CallOutput<'getUser'> {
  const row = requireUserRow(store, input.id)
  return toUser(row, row.role_name)
}

/** Run a raw kysely query through the store's statement cache. */
function allRaw<O>(store: Store, query: RawBuilder<O>): O[] {
  const compiled = query.compile(store.db)
  return store.prepare(compiled.sql).all(...compiled.parameters) as O[] // the row type the query declares
}

function getRaw<O>(store: Store, query: RawBuilder<O>): O | undefined {
  const compiled = query.compile(store.db)
  return store.prepare(compiled.sql).get(...compiled.parameters) as O | undefined // as above
}

// ---------------------------------------------------------------------------------------------
// Filters, search and keyset paging

/** The highest code point: `q || MAX_CHAR` bounds every string that starts with `q`. */
const MAX_CHAR = '\u{10FFFF}'

type SearchPlan = { kind: 'fts'; match: string; words: string[] } | { kind: 'prefix'; email: string; name: string }

/**
 * Words of three or more characters go to the trigram index (each quoted as an FTS5 string, all
 * of them required); shorter words only narrow those matches. A query made only of short words
 * is a prefix of the email or the name, answered from their indexes.
 */
function planSearch(raw: string | undefined): SearchPlan | null {
  const text = raw?.normalize('NFC').trim()
  if (!text) return null
  const words = text.split(/\s+/u)
  const long = words.filter((word) => [...word].length >= 3)
  if (long.length === 0) {
    // sort_name is folded by SQLite's lower(), which folds ASCII letters only.
    return { kind: 'prefix', email: text.toLowerCase(), name: text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) }
  }
  return {
    kind: 'fts',
    match: long.map((word) => `"${word.replaceAll('"', '""')}"`).join(' '),
    words: words.filter((word) => [...word].length < 3).map((word) => word.toLowerCase())
  }
}

/**
 * Which part of a filter may lead the query (use its index to find rows); the others are only
 * tested on the rows found, which SQLite's unary `+` enforces. With few search matches the search
 * leads and the matches are sorted; with many, the role or the sort order's index is walked and
 * each row tested against the matches, stopping at the page size.
 */
type Lead = 'search' | 'filter'

/** Above this many matches, walking an index beats sorting the matches. */
const FEW_MATCHES = 2000
/** Up to this many search matches, a narrowed total is counted by looking each match up. */
const COUNT_BY_MATCHES = 50_000

function searchCondition(plan: SearchPlan, unary: RawBuilder<unknown>): RawBuilder<SqlBool> {
  if (plan.kind === 'prefix') {
    const { email, name } = plan
    return sql<SqlBool>`((${unary}users.email_key >= ${email} AND ${unary}users.email_key < ${email + MAX_CHAR})
      OR (${unary}users.sort_name >= ${name} AND ${unary}users.sort_name < ${name + MAX_CHAR}))`
  }
  const conditions = [
    sql<SqlBool>`${unary}users.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ${plan.match})`,
    ...plan.words.map(
      (word) =>
        sql<SqlBool>`instr(lower(users.email || ' ' || coalesce(users.first_name, '') || ' ' || coalesce(users.last_name, '')), ${word}) > 0`
    )
  ]
  return sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`
}

const LEADS = sql.raw('')
const FOLLOWS = sql.raw('+')

interface ConditionOptions {
  lead?: Lead
  /** The list's sort: decides whether a status filter may lead (see below). */
  sort?: UserSortField
}

/** The filter as one SQL condition on `users`, usable in SELECT, UPDATE and DELETE. */
export function userFilterCondition(filter: UserFilter, options: ConditionOptions = {}): RawBuilder<SqlBool> {
  const { lead, sort } = options
  const conditions: Array<RawBuilder<SqlBool>> = []
  const plan = planSearch(filter.search)
  if (plan) {
    // Within a role, (role_id, email_key) and (role_id, sort_name) serve a prefix directly.
    const prefixInRole = plan.kind === 'prefix' && filter.roleId !== undefined
    conditions.push(searchCondition(plan, lead === 'filter' && !prefixInRole ? FOLLOWS : LEADS))
  }
  const prefixInRole = plan?.kind === 'prefix' && filter.roleId !== undefined
  const filterUnary = lead === 'search' && !prefixInRole ? FOLLOWS : LEADS
  if (filter.roleId === null) conditions.push(sql<SqlBool>`${filterUnary}users.role_id IS NULL`)
  else if (filter.roleId !== undefined) conditions.push(sql<SqlBool>`${filterUnary}users.role_id = ${filter.roleId}`)
  if (filter.notInRoleId !== undefined) conditions.push(sql<SqlBool>`users.role_id IS NOT ${filter.notInRoleId}`)
  if (filter.status !== undefined) {
    // users_status_name gives name order for one status only; otherwise walk the sort's index.
    const statusLeads = lead !== 'search' && (sort === undefined || sort === 'status' || (sort === 'name' && filter.status.length === 1))
    conditions.push(
      filter.status.length === 0
        ? sql<SqlBool>`0`
        : sql<SqlBool>`${statusLeads ? LEADS : FOLLOWS}users.status IN (${sql.join(filter.status)})`
    )
  }
  return conditions.length === 0 ? sql<SqlBool>`1` : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`
}

type ListedRow = UserRowWithRole & { role_key: string }

interface SortPlan {
  /** Sort keys before the id tie-breaker, all NOT NULL unless `nullable`. */
  keys: Array<RawBuilder<unknown>>
  /** The key values of a row, for the cursor. */
  values(row: ListedRow): Array<string | null>
  /** One key that may be NULL: rows without it come last ascending, first descending. */
  nullable: boolean
}

const SORTS: Record<UserSortField, SortPlan> = {
  name: { keys: [sql`users.sort_name`], values: (row) => [row.sort_name], nullable: false },
  email: { keys: [sql`users.email_key`], values: (row) => [row.email_key], nullable: false },
  status: {
    keys: [sql`users.status`, sql`users.sort_name`],
    values: (row) => [row.status, row.sort_name],
    nullable: false
  },
  role: {
    keys: [sql`coalesce(roles.name_key, '')`, sql`users.sort_name`],
    values: (row) => [row.role_key, row.sort_name],
    nullable: false
  },
  createdAt: { keys: [sql`users.created_at`], values: (row) => [row.created_at], nullable: false },
  inviteExpiresAt: { keys: [sql`users.invite_expires_at`], values: (row) => [row.invite_expires_at], nullable: true }
}

interface Cursor {
  values: Array<string | null>
  id: string
}

function decodeAfter(after: string, plan: SortPlan): Cursor {
  if (plan.nullable) {
    const [value, id] = decodeCursor(after, 'nullable-string', 'string')
    return { values: [value], id }
  }
  if (plan.keys.length === 2) {
    const [first, second, id] = decodeCursor(after, 'string', 'string', 'string')
    return { values: [first, second], id }
  }
  const [value, id] = decodeCursor(after, 'string', 'string')
  return { values: [value], id }
}

/** A run of rows in one index order; a page is read from the segments in turn. */
interface Segment {
  condition: RawBuilder<SqlBool>
  order: RawBuilder<unknown>
}

/**
 * The segments that follow the cursor. Keyset conditions are row-value ranges
 * (`(key, id) > (?, ?)`), which SQLite serves from the index of the sort. A nullable key is read
 * as two segments, the rows with a value (in the key's partial index order) and those without
 * (in id order), so neither needs a sort of the whole table.
 */
function segmentsAfter(plan: SortPlan, descending: boolean, cursor: Cursor | null, sortLeads: boolean): Segment[] {
  const op = sql.raw(descending ? '<' : '>')
  const direction = sql.raw(descending ? 'DESC' : 'ASC')
  const unary = sortLeads ? LEADS : FOLLOWS
  const order = (keys: Array<RawBuilder<unknown>>): RawBuilder<unknown> =>
    sql.join([...keys, sql`users.id`].map((key) => sql`${unary}${key} ${direction}`))
  const after = (keys: Array<RawBuilder<unknown>>, values: Array<string | null>): RawBuilder<SqlBool> =>
    sql<SqlBool>`((${sql.join([...keys, sql`users.id`])}) ${op} (${sql.join([...values, cursor?.id ?? ''])}))`
  const always = sql<SqlBool>`1`

  if (!plan.nullable) {
    return [{ condition: cursor ? after(plan.keys, cursor.values) : always, order: order(plan.keys) }]
  }
  const key = plan.keys[0] ?? sql`NULL`
  const cursorValue = cursor?.values[0] ?? null
  const valued = (from: boolean): Segment => ({
    condition: sql<SqlBool>`${key} IS NOT NULL AND ${from && cursor ? after([key], [cursorValue]) : always}`,
    order: order([key])
  })
  const empty = (from: boolean): Segment => ({
    condition: sql<SqlBool>`${key} IS NULL AND ${from && cursor ? after([], []) : always}`,
    order: order([])
  })
  if (!cursor) return descending ? [empty(false), valued(false)] : [valued(false), empty(false)]
  if (cursorValue === null) return descending ? [empty(true), valued(false)] : [empty(true)]
  return descending ? [valued(true)] : [valued(true), empty(false)]
}

/** The total for a filter without search, from the trigger-kept counts: O(roles × statuses). */
function countFromCounts(store: Store, filter: UserFilter): number {
  const conditions: Array<RawBuilder<SqlBool>> = [sql<SqlBool>`1`]
  if (filter.roleId !== undefined) conditions.push(sql<SqlBool>`role_key = ${filter.roleId ?? ''}`)
  if (filter.notInRoleId !== undefined) conditions.push(sql<SqlBool>`role_key != ${filter.notInRoleId}`)
  if (filter.status !== undefined) {
    conditions.push(filter.status.length === 0 ? sql<SqlBool>`0` : sql<SqlBool>`status IN (${sql.join(filter.status)})`)
  }
  const query = sql<{ n: number }>`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE ${sql.join(conditions, sql` AND `)}`
  return getRaw(store, query)?.n ?? 0
}

/** Rows matching `condition`, counted up to one past the cap. */
function countUpToCap(store: Store, condition: RawBuilder<SqlBool>): number {
  const query = sql<{ n: number }>`SELECT count(*) AS n FROM (
    SELECT 1 FROM users WHERE ${condition} LIMIT ${TOTAL_CAP + 1})`
  return getRaw(store, query)?.n ?? 0
}

/** Matches of the search alone (up to one past the cap): straight from the index when it can. */
function countSearchMatches(store: Store, plan: SearchPlan): number {
  if (plan.kind === 'fts' && plan.words.length === 0) {
    const query = sql<{ n: number }>`SELECT count(*) AS n FROM (
      SELECT rowid FROM users_search WHERE users_search MATCH ${plan.match} LIMIT ${TOTAL_CAP + 1})`
    return getRaw(store, query)?.n ?? 0
  }
  return countUpToCap(store, searchCondition(plan, LEADS))
}

export function listUsers(store: Store, input: ParsedInput<'listUsers'>): CallOutput<'listUsers'> {
  const { filter, limit } = input
  const plan = SORTS[input.sort.field]
  const descending = input.sort.direction === 'desc'
  const search = planSearch(filter.search)

  let lead: Lead | undefined
  let matches: number
  if (search) {
    const narrowed = filter.roleId !== undefined || filter.notInRoleId !== undefined || filter.status !== undefined
    if (search.kind === 'prefix' && filter.roleId !== undefined) {
      // The role's (role_id, email_key) and (role_id, sort_name) indexes answer this directly.
      matches = countUpToCap(store, userFilterCondition(filter))
    } else {
      const searchMatches = countSearchMatches(store, search)
      // Counting by the matches costs a lookup per match; by the filter, a step per filtered row.
      matches = narrowed
        ? countUpToCap(store, userFilterCondition(filter, { lead: searchMatches > COUNT_BY_MATCHES ? 'filter' : 'search' }))
        : searchMatches
    }
    lead = matches > FEW_MATCHES ? 'filter' : 'search'
  } else {
    matches = countFromCounts(store, filter)
  }

  const condition = userFilterCondition(filter, { ...(lead && { lead }), sort: input.sort.field })
  const cursor = input.after === undefined ? null : decodeAfter(input.after, plan)
  const rows: ListedRow[] = []
  for (const segment of segmentsAfter(plan, descending, cursor, lead !== 'search')) {
    if (rows.length > limit) break
    const query = sql<ListedRow>`SELECT users.*, users.sort_name AS sort_name, roles.name AS role_name,
        coalesce(roles.name_key, '') AS role_key
      FROM users LEFT JOIN roles ON roles.id = users.role_id
      WHERE ${condition} AND ${segment.condition}
      ORDER BY ${segment.order}
      LIMIT ${limit + 1 - rows.length}`
    rows.push(...allRaw(store, query))
  }
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    rows: page.map((row) => toUser(row, row.role_name)),
    // Only a search is counted row by row, so only a search's total is capped.
    total: search ? Math.min(matches, TOTAL_CAP) : matches,
    totalCapped: search !== null && matches > TOTAL_CAP,
    nextCursor: rows.length > limit && last ? encodeCursor(...plan.values(last), last.id) : null
  } satisfies UserPage
}

export function countUsers(store: Store, _input: ParsedInput<'countUsers'>): CallOutput<'countUsers'> {
  const rows = store.prepare('SELECT role_key, status, n FROM user_counts').all() as Array<{
    role_key: string
    status: UserStatus
    n: number
  }> // shape fixed by the SQL above
  const byStatus = Object.fromEntries(USER_STATUSES.map((status) => [status, 0])) as Record<UserStatus, number> // every status is a key
  const roleIds = store.prepare('SELECT id FROM roles').pluck().all() as string[] // ids are TEXT NOT NULL
  const byRole: Record<string, number> = Object.fromEntries(roleIds.map((id) => [id, 0]))
  let all = 0
  let noRole = 0
  for (const row of rows) {
    all += row.n
    byStatus[row.status] += row.n
    if (row.role_key === '') noRole += row.n
    else byRole[row.role_key] = (byRole[row.role_key] ?? 0) + row.n
  }
  return { all, byStatus, noRole, byRole } satisfies UserCounts
}

// ---------------------------------------------------------------------------------------------
// Writes

interface Problem {
  code: 'validation' | 'conflict' | 'password_policy' | 'not_found'
  path: string
  message: string
  /** The batch entry it belongs to, if any. */
  index?: number
}

/** Every problem of a batch, so the admin sees them all at once; thrown as one error. */
export class Problems {
  readonly list: Problem[] = []
  add(code: Problem['code'], path: string, message: string, index?: number): void {
    this.list.push({ code, path, message, ...(index !== undefined && { index }) })
  }
  throwIfAny(sentence: (first: Problem) => string): void {
    const [first] = this.list
    if (!first) return
    const more = this.list.length - 1
    const fields: Record<string, string> = {}
    for (const problem of this.list) fields[problem.path] ??= problem.message
    throw new DomainError(
      first.code,
      more > 0 ? `${sentence(first)} (and ${more} more problem${more === 1 ? '' : 's'})` : sentence(first),
      fields
    )
  }
}

export const fieldPath = (prefix: string, field: string): string => (prefix ? `${prefix}.${field}` : field)

/** Optional text as stored: trimmed, and empty means absent. */
function optionalText(value: string | null | undefined): string | null {
  const text = value?.trim()
  return text ? text : null
}

const EMAIL_TAKEN = 'Already used by another user'

const INSERT_USER_SQL = `INSERT INTO users (
    id, email, email_key, first_name, last_name, status, role_id, password_hash, title, location,
    description, tags, invited_at, invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by
  ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Validate and insert new users into `roleId`, inside the caller's transaction. Every draft is
 * checked before anything is written: email syntax, uniqueness ignoring case (inside the batch
 * and against the database), the password policy. Field paths are `<path(index)>.email` etc.
 * Returns the new users' ids in the order of `drafts`.
 */
export function insertUsers(
  store: Store,
  drafts: readonly UserDraft[],
  roleId: string | null,
  path: (index: number) => string = String
): string[] {
  const problems = new Problems()
  const passwordProblem = passwordChecker(store)
  const firstIndexOfKey = new Map<string, number>()
  const checked = drafts.map((draft, index) => {
    const email = checkEmail(draft.email)
    if (!email.ok) {
      problems.add('validation', fieldPath(path(index), 'email'), email.reason, index)
    } else if (firstIndexOfKey.has(email.key)) {
      problems.add('conflict', fieldPath(path(index), 'email'), 'Used more than once in this batch', index)
    } else {
      firstIndexOfKey.set(email.key, index)
    }
    const password = draft.password ? draft.password : null
    if (password !== null) {
      const problem = passwordProblem(password)
      if (problem !== null) problems.add('password_policy', fieldPath(path(index), 'password'), problem, index)
    }
    return { draft, email: email.ok ? email : null, password }
  })
  if (firstIndexOfKey.size > 0) {
    const taken = store
      .prepare('SELECT wanted.value FROM json_each(?) AS wanted JOIN users ON users.email_key = wanted.value')
      .pluck()
      .all(JSON.stringify([...firstIndexOfKey.keys()])) as string[] // email keys
    for (const key of taken) {
      const index = firstIndexOfKey.get(key)
      if (index !== undefined) problems.add('conflict', fieldPath(path(index), 'email'), EMAIL_TAKEN, index)
    }
  }
  problems.list.sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
  problems.throwIfAny((first) => {
    const email = first.index === undefined ? undefined : drafts[first.index]?.email.trim()
    return email ? `${email}: ${first.message}` : first.message
  })

  const insert = store.prepare(INSERT_USER_SQL)
  const now = store.now().toISOString()
  // Drafts created as `invited` get a real invite at once: one set of dates, a nonce each.
  const invitedCount = drafts.filter((draft) => draft.status === 'invited').length
  const inviteDates = invitedCount > 0 ? freshInviteFields(store) : null
  const nonces = newInviteNonces(invitedCount)
  let nonceIndex = 0
  return checked.map(({ draft, email, password }) => {
    // Every draft passed the checks above, so `email` is set.
    if (!email) throw new Error('unreachable: unchecked email')
    const id = randomUUID()
    const invite = draft.status === 'invited' && inviteDates ? { ...inviteDates, invite_nonce: nonces[nonceIndex++] ?? null } : null
    insert.run(
      id,
      email.email,
      email.key,
      optionalText(draft.firstName),
      optionalText(draft.lastName),
      draft.status,
      roleId,
      password === null ? null : hashPassword(password),
      optionalText(draft.title),
      optionalText(draft.location),
      optionalText(draft.description),
      JSON.stringify(draft.tags ?? []),
      invite?.invited_at ?? null,
      invite?.invite_expires_at ?? null,
      invite?.invite_nonce ?? null,
      now,
      now,
      store.actor
    )
    return id
  })
}

export function createUser(store: Store, input: ParsedInput<'createUser'>): CallOutput<'createUser'> {
  return store.transaction(() => {
    const roleId = input.roleId ?? null
    if (roleId !== null) requireRoleRow(store, roleId, 'roleId')
    const [id] = insertUsers(store, [input], roleId, () => '')
    const [user] = loadUsers(store, id === undefined ? [] : [id])
    if (!user) throw new Error('The new user was not written')
    recordActivity(store, {
      action: 'user.create',
      collection: 'users',
      recordIds: [user.id],
      summary: `Created user ${user.email}`,
      after: user
    })
    return user
  })
}

/** What changes on the invite fields when a user's status changes. */
function inviteFieldsFor(
  store: Store,
  from: UserStatus,
  to: UserStatus
): Pick<UserRow, 'invited_at' | 'invite_expires_at' | 'invite_nonce'> | null {
  if (from === to) return null
  // Leaving `invited` kills the pending invite; entering it starts a fresh one with a working link.
  return to === 'invited' ? freshInviteFields(store) : { invited_at: null, invite_expires_at: null, invite_nonce: null }
}

const LAST_ADMIN_CAUSE = 'This is the last active administrator'

export function updateUser(store: Store, input: ParsedInput<'updateUser'>): CallOutput<'updateUser'> {
  return store.transaction(() => {
    const row = requireUserRow(store, input.id)
    const { patch } = input
    const admins = countActiveAdmins(store)
    const now = store.now().toISOString()
    const next: UserRow = { ...row }

    if (patch.email !== undefined) {
      const email = checkEmail(patch.email)
      if (!email.ok) throw new DomainError('validation', email.reason, { 'patch.email': email.reason })
      if (email.key !== row.email_key) {
        const taken = store.get(store.db.selectFrom('users').select('id').where('email_key', '=', email.key).where('id', '!=', row.id))
        if (taken) {
          throw new DomainError('conflict', `${email.email} is already used by another user`, {
            'patch.email': EMAIL_TAKEN
          })
        }
      }
      next.email = email.email
      next.email_key = email.key
    }
    if (patch.password !== undefined) {
      if (patch.password) {
        const problem = passwordChecker(store)(patch.password)
        if (problem !== null) throw new DomainError('password_policy', problem, { 'patch.password': problem })
        next.password_hash = hashPassword(patch.password)
      } else {
        next.password_hash = null
      }
    }
    if (patch.roleId !== undefined) {
      if (patch.roleId !== null) requireRoleRow(store, patch.roleId, 'patch.roleId')
      next.role_id = patch.roleId
    }
    if (patch.status !== undefined) {
      next.status = patch.status
      Object.assign(next, inviteFieldsFor(store, row.status, patch.status))
    }
    if (patch.firstName !== undefined) next.first_name = optionalText(patch.firstName)
    if (patch.lastName !== undefined) next.last_name = optionalText(patch.lastName)
    if (patch.title !== undefined) next.title = optionalText(patch.title)
    if (patch.location !== undefined) next.location = optionalText(patch.location)
    if (patch.description !== undefined) next.description = optionalText(patch.description)
    if (patch.tags !== undefined) next.tags = JSON.stringify(patch.tags)

    const columns = (
      [
        'email',
        'email_key',
        'first_name',
        'last_name',
        'status',
        'role_id',
        'password_hash',
        'title',
        'location',
        'description',
        'tags',
        'invited_at',
        'invite_expires_at',
        'invite_nonce'
      ] as const
    ).filter((column) => row[column] !== next[column])
    if (columns.length === 0) return toUser(row, row.role_name)

    store.run(
      store.db
        .updateTable('users')
        .set({
          ...Object.fromEntries(columns.map((column) => [column, next[column]])),
          updated_at: now,
          last_changed_by: store.actor
        })
        .where('id', '=', row.id)
    )
    ensureAdminRemains(store, admins, () => ({
      ...(next.status !== row.status && { 'patch.status': LAST_ADMIN_CAUSE }),
      ...(next.role_id !== row.role_id && { 'patch.roleId': LAST_ADMIN_CAUSE })
    }))
    const before = toUser(row, row.role_name)
    const [after] = loadUsers(store, [row.id])
    if (!after) throw new Error('The user was not written')
    const changed = (Object.keys(after) as Array<keyof User>).filter(
      (key) => key !== 'updatedAt' && key !== 'lastChangedBy' && JSON.stringify(before[key]) !== JSON.stringify(after[key])
    )
    recordActivity(store, {
      action: 'user.update',
      collection: 'users',
      recordIds: [row.id],
      summary: `Updated user ${after.email}`,
      before: Object.fromEntries(changed.map((key) => [key, before[key]])),
      after: Object.fromEntries(changed.map((key) => [key, after[key]]))
    })
    return after
  })
}

/**
 * The users a selection names, as one SQL condition. Ids that do not exist are reported
 * (`selection.ids.N`) rather than ignored: the admin chose them from a list that is now stale.
 */
function selectionCondition(store: Store, selection: UserSelection): RawBuilder<SqlBool> {
  if ('filter' in selection) return userFilterCondition(selection.filter)
  const ids = JSON.stringify(selection.ids)
  const missing = store
    .prepare(
      `SELECT wanted.key FROM json_each(?) AS wanted
        WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = wanted.value)`
    )
    .pluck()
    .all(ids) as number[] // json_each keys of an array are indexes
  if (missing.length > 0) {
    throw new DomainError(
      'not_found',
      missing.length === 1 ? 'One of the chosen users no longer exists' : `${missing.length} of the chosen users no longer exist`,
      Object.fromEntries(missing.slice(0, 100).map((index) => [`selection.ids.${index}`, 'No such user']))
    )
  }
  return sql<SqlBool>`users.id IN (SELECT value FROM json_each(${ids}))`
}

interface SelectedUser {
  id: string
  email: string
  role_id: string | null
  status: UserStatus
}

/** Ids grouped by a previous value: a compact before-image for bulk changes. */
function groupIds(rows: readonly SelectedUser[], value: (row: SelectedUser) => string | null): Record<string, string[]> {
  const groups: Record<string, string[]> = {}
  for (const row of rows) (groups[value(row) ?? 'null'] ??= []).push(row.id)
  return groups
}

export function bulkUpdateUsers(store: Store, input: ParsedInput<'bulkUpdateUsers'>): CallOutput<'bulkUpdateUsers'> {
  return store.transaction(() => {
    const { patch } = input
    const condition = selectionCondition(store, input.selection)
    if ('roleId' in patch && patch.roleId !== null) requireRoleRow(store, patch.roleId, 'patch.roleId')
    const changes = 'roleId' in patch ? sql<SqlBool>`users.role_id IS NOT ${patch.roleId}` : sql<SqlBool>`users.status != ${patch.status}`
    const rows = allRaw(
      store,
      sql<SelectedUser>`SELECT users.id, users.email, users.role_id, users.status FROM users WHERE ${condition} AND ${changes}`
    )
    if (rows.length === 0) return { updated: 0 }
    const admins = countActiveAdmins(store)
    const ids = JSON.stringify(rows.map((row) => row.id))
    const now = store.now().toISOString()
    if ('roleId' in patch) {
      store
        .prepare(
          `UPDATE users SET role_id = ?, updated_at = ?, last_changed_by = ?
            WHERE id IN (SELECT value FROM json_each(?))`
        )
        .run(patch.roleId, now, store.actor, ids)
    } else if (patch.status === 'invited') {
      // Each user entering `invited` gets a fresh invite of their own (nonce, expiry).
      const { invited_at, invite_expires_at } = freshInviteFields(store)
      const nonces = newInviteNonces(rows.length)
      const update = store.prepare(
        `UPDATE users SET status = 'invited', updated_at = ?, last_changed_by = ?,
                invited_at = ?, invite_expires_at = ?, invite_nonce = ? WHERE id = ?`
      )
      rows.forEach((row, index) => update.run(now, store.actor, invited_at, invite_expires_at, nonces[index], row.id))
    } else {
      // Only rows whose status changes are listed: each one leaving `invited` loses its invite.
      store
        .prepare(
          `UPDATE users SET status = ?, updated_at = ?, last_changed_by = ?,
                  invited_at = NULL, invite_expires_at = NULL, invite_nonce = NULL
            WHERE id IN (SELECT value FROM json_each(?))`
        )
        .run(patch.status, now, store.actor, ids)
    }
    const field = 'roleId' in patch ? 'patch.roleId' : 'patch.status'
    ensureAdminRemains(store, admins, () => ({
      [field]: 'The chosen users include every active administrator'
    }))
    recordActivity(store, {
      action: 'user.bulk_update',
      collection: 'users',
      recordIds: rows.map((row) => row.id),
      summary:
        'roleId' in patch
          ? `${patch.roleId === null ? 'Removed the role of' : 'Assigned a role to'} ${rows.length} user(s)`
          : `Set the status of ${rows.length} user(s) to ${patch.status}`,
      before: 'roleId' in patch ? { roleId: groupIds(rows, (row) => row.role_id) } : { status: groupIds(rows, (row) => row.status) },
      after: patch
    })
    return { updated: rows.length }
  })
}

/** Deleted users kept in full in the activity log; beyond this, ids and a count only. */
const DELETE_SNAPSHOT_LIMIT = 10_000

export function deleteUsers(store: Store, input: ParsedInput<'deleteUsers'>): CallOutput<'deleteUsers'> {
  return store.transaction(() => {
    const condition = selectionCondition(store, input.selection)
    const rows = allRaw(store, sql<SelectedUser>`SELECT users.id, users.email, users.role_id, users.status FROM users WHERE ${condition}`)
    if (rows.length === 0) return { deleted: 0 }
    const admins = countActiveAdmins(store)
    store.prepare('DELETE FROM users WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(rows.map((row) => row.id)))
    ensureAdminRemains(store, admins, () => ({
      selection: 'The chosen users include every active administrator'
    }))
    recordActivity(store, {
      action: 'user.delete',
      collection: 'users',
      recordIds: rows.map((row) => row.id),
      summary: rows.length === 1 ? `Deleted user ${rows[0]?.email ?? ''}` : `Deleted ${rows.length} users`,
      before: {
        count: rows.length,
        users: rows
          .slice(0, DELETE_SNAPSHOT_LIMIT)
          .map((row) => ({ id: row.id, email: row.email, roleId: row.role_id, status: row.status }))
      }
    })
    return { deleted: rows.length }
  })
}
