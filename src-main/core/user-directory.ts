/**
 * The user directory's query: one keyset-paged list over a million users, filtered by role,
 * status and a search, in any of six sort orders, answered from indexes without sorting the
 * table.
 *
 * The strategy is "lead and follow". Each part of a filter can either *lead* — its index finds
 * the candidate rows — or *follow*, tested only on rows something else found (SQLite's unary `+`
 * on a column stops it from using that column's index). A search with few matches leads: its
 * matches are looked up and sorted (cheap when few). A search with many matches follows: the
 * role's or the sort order's index is walked in order and each row tested against the search,
 * stopping as soon as a page is full. Totals come from the trigger-kept `user_counts` when there
 * is no search, and from counting matches (capped at TOTAL_CAP) when there is.
 */
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely'
import { decodeCursor, encodeCursor } from './cursor'
import type { GetUserInput, ListUsersInput, UserFilter } from './inputs'
import { USER_STATUSES, type User, type UserCounts, type UserPage, type UserSortField, type UserStatus } from './model'
import { columns } from './db/columns'
import type { RoleRow, UserCountsTable } from './db/schema'
import { allRaw, getRaw, type Store } from './store'
import { requireUserRow, toUser, type UserRowWithRole } from './user-rows'

/** `listUsers` counts at most this many matches of a search; beyond it the total is "100,000+". */
export const TOTAL_CAP = 100_000

export function getUser(store: Store, input: GetUserInput): User {
  const row = requireUserRow(store, input.id)
  return toUser(row, row.role_name)
}

/** Run a raw kysely query through the store's statement cache. */

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

export function listUsers(store: Store, input: ListUsersInput): UserPage {
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

const COUNT_COLUMNS = columns('user_counts', ['role_key', 'status', 'n'])

export function countUsers(store: Store): UserCounts {
  const rows = store.prepare<Selectable<UserCountsTable>>(`SELECT ${COUNT_COLUMNS.sql} FROM user_counts`).all()
  const byStatus = Object.fromEntries(USER_STATUSES.map((status) => [status, 0])) as Record<UserStatus, number> // every status is a key
  const roleIds = store.prepare<RoleRow['id']>('SELECT id FROM roles').pluck().all()
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
