/**
 * The user directory's query: one keyset-paged list over a million users, filtered by role,
 * status and a search, in any of six sort orders, answered from indexes without sorting the
 * table, each page in a bounded amount of work.
 *
 * Search has one rule for every length: each word typed is a substring of the user's search
 * text (address, first and last name, lower-cased; migration 5). Two structures answer it:
 * - the trigram index `users_search` finds the users whose text holds a word. A word of three
 *   characters or more is one phrase; a shorter one is the trigrams that begin with it, read
 *   from the index's vocabulary (the text ends in two spaces, so every character begins one);
 * - the name-order indexes carry the search text, so walking them in order and testing each
 *   entry with instr() touches no table row until a page is found.
 *
 * A page is found by whichever costs less. In name order the sort is first *walked* in bounded
 * chunks from the cursor, testing each entry: a dense search fills its page in a few thousand
 * entries, sooner than the trigram index could count its candidates. When the first chunk finds
 * the matches rare, the search *leads* instead if it can do so cheaply: few candidates are looked
 * up, filtered and sorted; many that lie in *clusters* (the first names holding most of them,
 * side by side in name order) are read range by range from the index, and only the scattered
 * rest is sorted. Otherwise the walk goes on, and if its chunks run out before the page is full
 * it leads all the same. Other sort orders ask the trigram index first. Totals of a search
 * are counted up to TOTAL_CAP, by the walk while matches are dense and from the trigram index
 * while they are not; totals without a search come from the trigger-kept `user_counts`.
 * Both ways test the same condition, so they always agree on which users match.
 *
 * A role is read through the role-ordered indexes, which file users under `indexed_role_id`.
 * While that copy trails a change set (role-index.ts), a role is a test on each row instead:
 * a large role's members are found by walking the sort order as for all users, a smaller one's
 * are read whole from its index and the trailing users, then tested, sorted and counted.
 */
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely'
import { decodeCursor, encodeCursor } from './cursor'
import type { GetUserInput, ListUsersInput, UserFilter } from './inputs'
import { USER_STATUSES, type User, type UserCounts, type UserPage, type UserSortField, type UserStatus } from './model'
import { columns } from './db/columns'
import { SEARCH_TEXT_SQL, SORT_KEY_SQL } from './db/migrations'
import type { RoleRow, UserCountsTable } from './db/schema'
import { allRaw, getRaw, type Store } from './store'
import { requireUserRow, toUser, type UserRowWithRole } from './user-rows'
import { roleIndexTrails, TRAILING } from './role-index'

/** `listUsers` counts at most this many matches of a search; beyond it the total is "1,000+". */
export const TOTAL_CAP = 1000

export function getUser(store: Store, input: GetUserInput): User {
  const row = requireUserRow(store, input.id)
  return toUser(row, row.role_name)
}

// ---------------------------------------------------------------------------------------------
// The search rule

/** A user's name sort key and search text, spelled as the indexes spell them. */
export const SORT_KEY = sql.raw(`(${SORT_KEY_SQL})`)
const SEARCH_TEXT = sql.raw(`(${SEARCH_TEXT_SQL})`)

/** The highest code point: `w || MAX_CHAR` bounds every string that starts with `w`. */
/** Marks the start of the name sort key in the search text (migration 5). */
const KEY_MARK = '\u0001'

const MAX_CHAR = '\u{10FFFF}'

/**
 * The words of a search in the order typed, folded as SQLite's lower() folds the text (letters
 * A–Z only); null when nothing was typed.
 */
export function searchWords(raw: string | undefined): string[] | null {
  const text = raw?.normalize('NFC').trim()
  if (!text) return null
  const words = new Set(text.split(/\s+/u).map((word) => word.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())))
  // A word inside another one adds nothing to the test.
  return [...words].filter((word) => ![...words].some((other) => other !== word && other.includes(word)))
}

const isShort = (word: string): boolean => [...word].length < 3

/** The rule on one row: every word is in its search text (read from an index where one holds it). */
function wordsCondition(words: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(
    words.map((word) => sql`instr(${SEARCH_TEXT}, ${word}) > 0`),
    sql` AND `
  )})`
}

const quoted = (term: string): string => `"${term.replaceAll('"', '""')}"`

/**
 * An FTS5 query whose matches include every user matching `words` (exactly them when no word is
 * short): long words as phrases, each short one as the trigrams that begin with it. Null when
 * a short word begins no trigram, so nobody matches.
 */
function ftsQuery(store: Store, words: readonly string[], shortToo: boolean, memo?: Vocabulary): string | null {
  const parts: string[] = []
  for (const word of words) {
    if (!isShort(word)) {
      parts.push(quoted(word))
    } else if (shortToo) {
      const { terms } = trigramsFrom(store, word, memo)
      if (terms.length === 0) return null
      parts.push(`(${terms.map(quoted).join(' OR ')})`)
    }
  }
  return parts.join(' AND ')
}

/** The trigrams a short word begins, with how many users hold each: read once per search. */
type Vocabulary = Map<string, { terms: string[]; users: number }>

function trigramsFrom(store: Store, word: string, memo?: Vocabulary): { terms: string[]; users: number } {
  const known = memo?.get(word)
  if (known) return known
  const rows = store
    .prepare<{ term: string; doc: number }>('SELECT term, doc FROM users_search_terms WHERE term >= ? AND term < ?')
    .all(word, word + MAX_CHAR)
  const found = { terms: rows.map((row) => row.term), users: rows.reduce((sum, row) => sum + row.doc, 0) }
  memo?.set(word, found)
  return found
}

// ---------------------------------------------------------------------------------------------
// Filters

const LEADS = sql.raw('')
const FOLLOWS = sql.raw('+')

/**
 * A filter as the listing reads it. `roleId` is read through the role-ordered indexes, so only
 * while they do not trail; `memberOf` is the same role tested on each row, read through none.
 */
type Filter = UserFilter & { memberOf?: string | null }

/** The role, status and not-in-role parts of a filter; `unary` FOLLOWS keeps their indexes out of it. */
function filterParts(filter: Filter, unary: RawBuilder<unknown>, statusUnary: RawBuilder<unknown> = unary): Array<RawBuilder<SqlBool>> {
  const conditions: Array<RawBuilder<SqlBool>> = []
  if (filter.roleId === null) conditions.push(sql<SqlBool>`${unary}users.indexed_role_id IS NULL`)
  else if (filter.roleId !== undefined) conditions.push(sql<SqlBool>`${unary}users.indexed_role_id = ${filter.roleId}`)
  if (filter.memberOf !== undefined) conditions.push(sql<SqlBool>`users.role_id IS ${filter.memberOf}`)
  if (filter.notInRoleId !== undefined) conditions.push(sql<SqlBool>`users.role_id IS NOT ${filter.notInRoleId}`)
  if (filter.status !== undefined) {
    conditions.push(filter.status.length === 0 ? sql<SqlBool>`0` : sql<SqlBool>`${statusUnary}users.status IN (${sql.join(filter.status)})`)
  }
  return conditions
}

const all = (conditions: ReadonlyArray<RawBuilder<SqlBool>>): RawBuilder<SqlBool> =>
  conditions.length === 0 ? sql<SqlBool>`1` : sql<SqlBool>`(${sql.join([...conditions], sql` AND `)})`

/**
 * The filter as one SQL condition on `users`, usable in SELECT, UPDATE and DELETE (bulk edits,
 * exports): a search's candidates from the trigram index when a word is long enough, then the
 * rule tested on each of them. Its role is read through the role's index: settle that first
 * (`settleRoleIndex`).
 */
export function userFilterCondition(filter: UserFilter): RawBuilder<SqlBool> {
  const conditions = filterParts(filter, LEADS)
  const words = searchWords(filter.search)
  if (words) {
    if (words.some((word) => !isShort(word))) {
      const match = words
        .filter((word) => !isShort(word))
        .map(quoted)
        .join(' AND ')
      conditions.push(sql<SqlBool>`users.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ${match})`)
    }
    conditions.push(wordsCondition(words))
  }
  return all(conditions)
}

// ---------------------------------------------------------------------------------------------
// Sort orders and cursors

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
  name: { keys: [SORT_KEY], values: (row) => [row.sort_name], nullable: false },
  email: { keys: [sql`users.email_key`], values: (row) => [row.email_key], nullable: false },
  status: { keys: [sql`users.status`, SORT_KEY], values: (row) => [row.status, row.sort_name], nullable: false },
  role: {
    keys: [sql`coalesce(roles.name_key, '')`, SORT_KEY],
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
 * Rows past (key, id) = (value, lastId) in the direction of `op`, written as a range on the key
 * (`key >= ?`) and a test: SQLite uses a row value (`(key, id) > (?, ?)`) as a range only when
 * every part is a plain column, and the name key is an indexed expression.
 */
function beyond(key: RawBuilder<unknown>, value: string | null, id: string, op: '>' | '<', inclusive = false): RawBuilder<SqlBool> {
  const strict = sql.raw(op)
  const loose = sql.raw(`${op}=`)
  return sql<SqlBool>`(${key} ${loose} ${value} AND (${key} ${strict} ${value} OR users.id ${inclusive ? loose : strict} ${id}))`
}

/**
 * The segments that follow the cursor, each a range of the sort's index. Two keys are read as
 * the rest of the cursor's first key, then everything past it. A nullable key is read as two
 * segments, the rows with a value (in the key's partial index order) and those without (in id
 * order), so neither needs a sort of the whole table.
 */
function segmentsAfter(plan: SortPlan, descending: boolean, cursor: Cursor | null, sortLeads: boolean): Segment[] {
  const op = descending ? '<' : '>'
  const direction = sql.raw(descending ? 'DESC' : 'ASC')
  const unary = sortLeads ? LEADS : FOLLOWS
  const order = (keys: Array<RawBuilder<unknown>>): RawBuilder<unknown> =>
    sql.join([...keys, sql`users.id`].map((key) => sql`${unary}${key} ${direction}`))
  const always = sql<SqlBool>`1`
  const [first = sql`NULL`, second] = plan.keys
  const [firstValue = null, secondValue = null] = cursor?.values ?? []

  if (!plan.nullable) {
    if (!cursor) return [{ condition: always, order: order(plan.keys) }]
    if (!second) return [{ condition: beyond(first, firstValue, cursor.id, op), order: order(plan.keys) }]
    return [
      { condition: sql<SqlBool>`(${first} = ${firstValue} AND ${beyond(second, secondValue, cursor.id, op)})`, order: order(plan.keys) },
      { condition: sql<SqlBool>`${first} ${sql.raw(op)} ${firstValue}`, order: order(plan.keys) }
    ]
  }
  const valued = (from: boolean): Segment => ({
    condition: sql<SqlBool>`${first} IS NOT NULL AND ${from && cursor ? beyond(first, firstValue, cursor.id, op) : always}`,
    order: order([first])
  })
  const empty = (from: boolean): Segment => ({
    condition: sql<SqlBool>`${first} IS NULL AND ${from && cursor ? sql<SqlBool>`users.id ${sql.raw(op)} ${cursor.id}` : always}`,
    order: order([])
  })
  if (!cursor) return descending ? [empty(false), valued(false)] : [valued(false), empty(false)]
  if (firstValue === null) return descending ? [empty(true), valued(false)] : [empty(true)]
  return descending ? [valued(true)] : [valued(true), empty(false)]
}

const PAGE_COLUMNS = sql`users.*, users.sort_name AS sort_name, roles.name AS role_name, coalesce(roles.name_key, '') AS role_key`

/** Up to `limit` rows of `from` matching `condition`, segment after segment in sort order. */
function readSegments(
  store: Store,
  from: RawBuilder<unknown>,
  condition: RawBuilder<SqlBool>,
  segments: readonly Segment[],
  limit: number
): ListedRow[] {
  const rows: ListedRow[] = []
  for (const segment of segments) {
    if (rows.length >= limit) break
    const query = sql<ListedRow>`SELECT ${PAGE_COLUMNS} FROM ${from} LEFT JOIN roles ON roles.id = users.role_id
      WHERE ${condition} AND ${segment.condition}
      ORDER BY ${segment.order}
      LIMIT ${limit - rows.length}`
    rows.push(...allRaw(store, query))
  }
  return rows
}

function pageOf(rows: readonly ListedRow[], limit: number, plan: SortPlan, total: number, capped: boolean): UserPage {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    rows: page.map((row) => toUser(row, row.role_name)),
    total,
    totalCapped: capped,
    nextCursor: rows.length > limit && last ? encodeCursor(...plan.values(last), last.id) : null
  } satisfies UserPage
}

// ---------------------------------------------------------------------------------------------
// Counts

/** The total for a filter without search, from the trigger-kept counts: O(roles × statuses). */
function countFromCounts(store: Store, filter: Filter): number {
  const conditions: Array<RawBuilder<SqlBool>> = [sql<SqlBool>`1`]
  const role = filter.roleId !== undefined ? filter.roleId : filter.memberOf
  if (role !== undefined) conditions.push(sql<SqlBool>`role_key = ${role ?? ''}`)
  if (filter.notInRoleId !== undefined) conditions.push(sql<SqlBool>`role_key != ${filter.notInRoleId}`)
  if (filter.status !== undefined) {
    conditions.push(filter.status.length === 0 ? sql<SqlBool>`0` : sql<SqlBool>`status IN (${sql.join(filter.status)})`)
  }
  const query = sql<{ n: number }>`SELECT coalesce(sum(n), 0) AS n FROM user_counts WHERE ${sql.join(conditions, sql` AND `)}`
  return getRaw(store, query)?.n ?? 0
}

const CANDIDATES = sql.raw('users_search AS candidates CROSS JOIN users ON users.rowid = candidates.rowid')

/** Matches among the trigram index's candidates, counted up to one past `cap`. */
function countCandidates(store: Store, match: string, condition: RawBuilder<SqlBool> | null, cap: number): number {
  const query = condition
    ? sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${CANDIDATES}
        WHERE candidates.users_search MATCH ${match} AND ${condition} LIMIT ${cap + 1})`
    : sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM users_search WHERE users_search MATCH ${match} LIMIT ${cap + 1})`
  return getRaw(store, query)?.n ?? 0
}

// ---------------------------------------------------------------------------------------------
// Listing

/** Up to this many candidates, leading with the search (look up and sort them) beats walking. */
const FEW_CANDIDATES = 3000
/** Index entries a walk reads first, and for one page at most, before leading with the search. */
const WALK_FIRST_CHUNK = 4000
const WALK_BUDGET = 64_000
/** Past this many more entries (about as long as asking the trigram index takes) a walk asks whether leading would do better. */
const WALK_FAR = 32_000
/** Past this many candidates of short words in the filter, a walk goes on rather than look for clusters. */
const MANY_CANDIDATES = 40_000
/** Candidates outside a name range that leading in name order looks up and sorts, at most. */
const SCATTERED_MAX = 5000
/** Index entries a walk reads to count matches before the trigram index counts them instead. */
const WALK_COUNT_BUDGET = 40_000

/** The index a walk in name order reads, with the search text in it; null where none does. */
function nameWalkIndex(filter: Filter): RawBuilder<unknown> | null {
  if (typeof filter.roleId === 'string') return sql.raw('users INDEXED BY users_role_name')
  if (filter.roleId === undefined && filter.status === undefined) return sql.raw('users INDEXED BY users_name')
  return null
}

export function listUsers(store: Store, input: ListUsersInput): UserPage {
  if (input.filter.roleId !== undefined && roleIndexTrails(store)) return listTrailingRole(store, input)
  return listFiltered(store, input.filter, input)
}

/** A role's page while the role index trails: the role tested on each row (see the top of this file). */
function listTrailingRole(store: Store, input: ListUsersInput): UserPage {
  const { roleId, ...rest } = input.filter
  const filter: Filter = { ...rest, memberOf: roleId }
  // Walking the sort order reads about `limit × all users / members` rows for a page; reading
  // the role whole reads its members once. Whichever reads fewer.
  const size = countFromCounts(store, { memberOf: roleId })
  if (size * size > (input.limit + 1) * countFromCounts(store, {})) return listFiltered(store, filter, input)

  // Its members: the users its index files under it and those trailing into it, each tested on its row.
  const members = store
    .prepare<number>(
      `SELECT rowid FROM users INDEXED BY users_role_email WHERE indexed_role_id IS @role
        UNION ALL SELECT rowid FROM users INDEXED BY users_role_lag WHERE users.role_id IS @role AND ${TRAILING}`
    )
    .pluck()
    .all({ role: roleId })
  const plan = SORTS[input.sort.field]
  const cursor = input.after === undefined ? null : decodeAfter(input.after, plan)
  const words = searchWords(filter.search)
  const condition = all([...filterParts(filter, FOLLOWS), ...(words ? [wordsCondition(words)] : [])])
  const from = usersListed(members)
  const segments = segmentsAfter(plan, input.sort.direction === 'desc', cursor, false)
  const rows = readSegments(store, from, condition, segments, input.limit + 1)
  if (!words) return pageOf(rows, input.limit, plan, countFromCounts(store, filter), false)
  const total = getRaw(store, sql<{ n: number }>`SELECT count(*) AS n FROM ${from} WHERE ${condition}`)?.n ?? 0
  return pageOf(rows, input.limit, plan, Math.min(total, TOTAL_CAP), total > TOTAL_CAP)
}

function listFiltered(store: Store, filter: Filter, input: ListUsersInput): UserPage {
  const { limit } = input
  const plan = SORTS[input.sort.field]
  const descending = input.sort.direction === 'desc'
  const cursor = input.after === undefined ? null : decodeAfter(input.after, plan)
  const words = searchWords(filter.search)

  if (!words) {
    // users_status_name gives name order for one status only; otherwise walk the sort's index.
    const sort = input.sort.field
    const statusLeads = sort === 'status' || (sort === 'name' && filter.status?.length === 1 && filter.roleId === undefined)
    const condition = all(filterParts(filter, LEADS, statusLeads ? LEADS : FOLLOWS))
    const rows = readSegments(store, sql.raw('users'), condition, segmentsAfter(plan, descending, cursor, true), limit + 1)
    return pageOf(rows, limit, plan, countFromCounts(store, filter), false)
  }
  return searchUsers(store, { filter, words, plan, descending, cursor, limit, sort: input.sort.field })
}

interface SearchRequest {
  filter: Filter
  words: string[]
  plan: SortPlan
  descending: boolean
  cursor: Cursor | null
  limit: number
  sort: UserSortField
}

function searchUsers(store: Store, request: SearchRequest): UserPage {
  const { filter, words, plan, descending, cursor, limit } = request
  const matches = wordsCondition(words)
  const hasFilter = hasFilterOf(filter)
  const index = request.sort === 'name' ? nameWalkIndex(filter) : null
  const longMatch = words.some((word) => !isShort(word)) ? ftsQuery(store, words, false) : null
  const vocabulary: Vocabulary = new Map()
  const fullMatch = (): string | null => (words.some(isShort) ? ftsQuery(store, words, true, vocabulary) : longMatch)

  /** Lead with the search: its candidates filtered, sorted, and counted up to the cap. */
  let clusters: Clusters | null | undefined
  const clustersFor = (match: string): Clusters | null => (clusters ??= index ? clustersOf(store, match) : null)
  const lead = (match: string | null): UserPage => {
    if (match === null) return pageOf([], limit, plan, 0, false)
    const found = index ? clustersFor(match) : null
    if (index && found) return leadInNameOrder(store, { ...request, index, clusters: found })
    // The match holds every word (short ones as their trigrams), so it is the rule itself.
    const condition = all([...filterParts(filter, FOLLOWS), sql<SqlBool>`candidates.users_search MATCH ${match}`])
    const rows = readSegments(store, CANDIDATES, condition, segmentsAfter(plan, descending, cursor, false), limit + 1)
    const total = countCandidates(store, match, hasFilter ? all(filterParts(filter, FOLLOWS)) : null, TOTAL_CAP)
    return pageOf(rows, limit, plan, Math.min(total, TOTAL_CAP), total > TOTAL_CAP)
  }

  // Few candidates: read once, then filtered, sorted and counted from the list. Asked at once
  // when no index holds the search text; a walk in name order asks only if its first chunk
  // finds the matches rare, since a dense search fills its page sooner than the trigram index
  // can say how many candidates it has.
  let probed: { few: number[] | null } | undefined
  const fewCandidates = (): number[] | null => (probed ??= { few: longMatch === null ? null : fewOf(store, longMatch) }).few
  if (!index) {
    const few = fewCandidates()
    if (few) return leadFromList(store, request, few)
  }

  // Walk the sort order: in name order through an index holding the search text, otherwise
  // through the sort's own index with each row tested.
  const from = index ?? sql.raw('users')
  const filterCondition = all(filterParts(filter, index ? LEADS : FOLLOWS))
  const segments = segmentsAfter(plan, descending, cursor, true)
  const chunked = request.sort !== 'role'
  // A first chunk with matches too rare to fill the page soon: lead if the candidates are few,
  // or if all but a few of them lie in clusters of the name order; else walk on.
  const leadFirst = (): boolean => {
    if (fewCandidates()) return true
    const match = fullMatch()
    if (match === null) return true
    // Short words: the vocabulary just read says at most how many users hold them. So many in
    // the filter (a role's share of them) are dense somewhere soon: walk on rather than look
    // for clusters among them.
    if (longMatch === null) {
      const share = hasFilter ? countFromCounts(store, filter) / Math.max(1, countFromCounts(store, {})) : 1
      if (shortEstimate(store, words, vocabulary) * share > MANY_CANDIDATES) return false
    }
    return clustersFor(match) !== null
  }
  const walk = walkPage(store, { from, filterCondition, matches, plan, descending, segments, limit: limit + 1, chunked, leadFirst })
  if (!walk) {
    const few = fewCandidates()
    return few ? leadFromList(store, request, few) : lead(fullMatch())
  }

  const density = walk.examined > 0 ? walk.rows.length / walk.examined : 1
  const filterSize = countFromCounts(store, filter)
  const total = countSearch(store, { from, filterCondition, matches, words, longMatch, vocabulary, density, hasFilter, filterSize })
  return pageOf(walk.rows, limit, plan, Math.min(total, TOTAL_CAP), total > TOTAL_CAP)
}

/** At most how many users hold the rarest short word, from the trigram vocabulary (read already, so free). */
function shortEstimate(store: Store, words: readonly string[], memo: Vocabulary): number {
  return Math.min(...words.filter(isShort).map((word) => trigramsFrom(store, word, memo).users))
}

/** The trigram index's candidates for `match` when there are at most FEW_CANDIDATES of them, else null. */
function fewOf(store: Store, match: string): number[] | null {
  const found = store
    .prepare<number>('SELECT rowid FROM users_search WHERE users_search MATCH ? LIMIT ?')
    .pluck()
    .all(match, FEW_CANDIDATES + 1)
  return found.length <= FEW_CANDIDATES ? found : null
}

/** The users of a list of rowids, as what a page reads `FROM`: each looked up, none walked. */
function usersListed(rowids: readonly number[]): RawBuilder<unknown> {
  return sql`json_each(${JSON.stringify(rowids)}) AS found CROSS JOIN users ON users.rowid = found.value`
}

/** Lead from a short list of candidate rowids (long words matched): filtered, tested, sorted, counted. */
function leadFromList(store: Store, request: SearchRequest, rowids: readonly number[]): UserPage {
  const { filter, words, plan, descending, cursor, limit } = request
  const shortWords = words.filter(isShort)
  const condition = all([...filterParts(filter, FOLLOWS), ...(shortWords.length > 0 ? [wordsCondition(shortWords)] : [])])
  const from = usersListed(rowids)
  const rows = readSegments(store, from, condition, segmentsAfter(plan, descending, cursor, false), limit + 1)
  const total =
    hasFilterOf(filter) || shortWords.length > 0
      ? (getRaw(store, sql<{ n: number }>`SELECT count(*) AS n FROM ${from} WHERE ${condition}`)?.n ?? 0)
      : rowids.length
  return pageOf(rows, limit, plan, Math.min(total, TOTAL_CAP), total > TOTAL_CAP)
}

/**
 * Candidates of a search told apart by where they lie in name order. Users who share a first
 * name sit side by side there, and so do the matches of a word inside one: "olga" is thousands
 * of Olgas, "oma" the Omars and the Tomáses. A cluster is the range of name keys beginning with
 * such a first name; the other candidates are scattered.
 */
interface Clusters {
  /** Name-key prefixes, none a prefix of another: each range is read in order in the walk's index. */
  prefixes: string[]
  /** Every candidate outside those ranges, found inside the trigram index. */
  scattered: number[]
}

/** Candidates sampled to find a search's clusters. */
const CLUSTER_SAMPLE = 256
/** A first name holding at least this share of the sample is a cluster. */
const CLUSTER_SHARE = 0.08

/**
 * The clusters of `match` and its scattered candidates, or null when the scattered ones are too
 * many for leading in name order to pay (SCATTERED_MAX). The clusters come from a sample of the
 * candidates, so they only decide what this costs: every range is tested with the rule, and the
 * scattered candidates are exactly those outside the ranges (the search text starts with the
 * name key behind U+0001, so "\u0001olga" is the range as a match of its own).
 */
function clustersOf(store: Store, match: string): Clusters | null {
  const sample = store
    .prepare<string>(
      'SELECT users.sort_name FROM users_search AS candidates CROSS JOIN users ON users.rowid = candidates.rowid WHERE candidates.users_search MATCH ? LIMIT ?'
    )
    .pluck()
    .all(match, CLUSTER_SAMPLE)
  const shares = new Map<string, number>()
  for (const key of sample) {
    const name = key.split(' ', 1)[0] ?? key
    if ([...name].length >= 2) shares.set(name, (shares.get(name) ?? 0) + 1)
  }
  const names = [...shares]
    .filter(([, count]) => count >= Math.max(2, sample.length * CLUSTER_SHARE))
    .map(([name]) => name)
    .sort()
  const prefixes = names.filter((name, index) => !names.slice(0, index).some((other) => name.startsWith(other)))
  const ranges = prefixes.map((prefix) => quoted(`${KEY_MARK}${prefix}`))
  const outsideMatch = ranges.length === 0 ? match : `(${match}) NOT (${ranges.join(' OR ')})`
  const scattered = store
    .prepare<number>('SELECT rowid FROM users_search WHERE users_search MATCH ? LIMIT ?')
    .pluck()
    .all(outsideMatch, SCATTERED_MAX + 1)
  return scattered.length > SCATTERED_MAX ? null : { prefixes, scattered }
}

/**
 * Leading in name order without sorting a cluster: each cluster's range is read in order from
 * the walk's index and tested there, and only the scattered candidates are looked up and sorted.
 */
function leadInNameOrder(store: Store, request: SearchRequest & { index: RawBuilder<unknown>; clusters: Clusters }): UserPage {
  const { filter, words, plan, descending, cursor, limit, index, clusters } = request
  const inRange = (prefix: string): RawBuilder<SqlBool> =>
    all([
      ...filterParts(filter, LEADS),
      sql<SqlBool>`(${SORT_KEY} >= ${prefix} AND ${SORT_KEY} < ${prefix + MAX_CHAR})`,
      wordsCondition(words)
    ])
  const scatteredMatches = all(filterParts(filter, FOLLOWS))
  const [segment] = segmentsAfter(plan, descending, cursor, true)
  const keyset = segment?.condition ?? sql<SqlBool>`1`
  const order = segment?.order ?? sql`1`
  const n = limit + 1
  const list = JSON.stringify(clusters.scattered)
  const parts = [
    ...clusters.prefixes.map(
      (prefix) =>
        sql`SELECT rowid FROM (SELECT users.rowid AS rowid FROM ${index} WHERE ${inRange(prefix)} AND ${keyset} ORDER BY ${order} LIMIT ${n})`
    ),
    sql`SELECT rowid FROM (SELECT users.rowid AS rowid FROM json_each(${list}) AS scattered CROSS JOIN users ON users.rowid = scattered.value
      WHERE ${scatteredMatches} AND ${keyset} ORDER BY ${order} LIMIT ${n})`
  ]
  const rows = allRaw(
    store,
    sql<ListedRow>`SELECT ${PAGE_COLUMNS} FROM users LEFT JOIN roles ON roles.id = users.role_id
      WHERE users.rowid IN (${sql.join(parts, sql` UNION ALL `)})
      ORDER BY ${order} LIMIT ${n}`
  )
  let total = 0
  for (const prefix of clusters.prefixes) {
    if (total > TOTAL_CAP) break
    const inside = getRaw(
      store,
      sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM ${index} WHERE ${inRange(prefix)} LIMIT ${TOTAL_CAP + 1 - total})`
    )
    total += inside?.n ?? 0
  }
  total += hasFilterOf(filter)
    ? (getRaw(
        store,
        sql<{ n: number }>`SELECT count(*) AS n FROM json_each(${list}) AS scattered CROSS JOIN users ON users.rowid = scattered.value
          WHERE ${scatteredMatches}`
      )?.n ?? 0)
    : clusters.scattered.length
  return pageOf(rows, limit, plan, Math.min(total, TOTAL_CAP), total > TOTAL_CAP)
}

const hasFilterOf = (filter: Filter): boolean =>
  filter.roleId !== undefined || filter.memberOf !== undefined || filter.notInRoleId !== undefined || filter.status !== undefined

interface WalkRequest {
  from: RawBuilder<unknown>
  filterCondition: RawBuilder<SqlBool>
  matches: RawBuilder<SqlBool>
  plan: SortPlan
  descending: boolean
  segments: readonly Segment[]
  limit: number
  /** False for an order no index gives (by role), which a chunk boundary would sort for. */
  chunked: boolean
  /** Asked when a first chunk holds too few matches to fill the page soon: whether leading beats walking on. */
  leadFirst(): boolean
}

/**
 * A page read by walking the sort order in chunks of index entries, or null when the chunks
 * ran out before the page was full. A chunk ends at its last entry, found by a walk that tests
 * nothing; the page query then reads matches up to it.
 */
function walkPage(store: Store, request: WalkRequest): { rows: ListedRow[]; examined: number } | null {
  const { from, filterCondition, matches, plan, descending, limit } = request
  const [segment] = request.segments
  const [key] = plan.keys
  if (plan.nullable || plan.keys.length !== 1 || !request.chunked || !segment || !key) {
    // No single index range gives this order: walked whole, as the list has always done.
    return { rows: readSegments(store, from, all([filterCondition, matches]), request.segments, limit), examined: 0 }
  }
  const op = descending ? '<' : '>'
  const rows: ListedRow[] = []
  let start = segment.condition
  let examined = 0
  let size = WALK_FIRST_CHUNK
  while (size > 0) {
    const boundary = getRaw(
      store,
      sql<{ k: string; id: string }>`SELECT ${key} AS k, users.id AS id FROM ${from}
        WHERE ${filterCondition} AND ${start} ORDER BY ${segment.order} LIMIT 1 OFFSET ${size - 1}`
    )
    const within = boundary ? beyond(key, boundary.k, boundary.id, descending ? '>' : '<', true) : sql<SqlBool>`1`
    const chunk: Segment = { condition: sql<SqlBool>`(${start} AND ${within})`, order: segment.order }
    rows.push(...readSegments(store, from, all([filterCondition, matches]), [chunk], limit - rows.length))
    examined += size
    if (rows.length >= limit || !boundary) return { rows, examined }
    // The next chunk is sized to what this density needs, with room to spare, within the budget.
    const needed = rows.length === 0 ? WALK_BUDGET : Math.ceil((((limit - rows.length) * examined) / rows.length) * 1.5)
    // Matches this rare after a first chunk (or none): they are few, or clustered further on,
    // and leading finds them sooner when it can.
    if (examined === WALK_FIRST_CHUNK && needed > WALK_FAR && request.leadFirst()) return null
    size = Math.min(Math.max(needed, WALK_FIRST_CHUNK), WALK_BUDGET - examined)
    start = beyond(key, boundary.k, boundary.id, op)
  }
  return null
}

interface CountRequest {
  from: RawBuilder<unknown>
  filterCondition: RawBuilder<SqlBool>
  matches: RawBuilder<SqlBool>
  words: readonly string[]
  longMatch: string | null
  /** The trigrams of short words this search has read already: each costs a pass over its doclists. */
  vocabulary: Vocabulary
  /** Matches per index entry where the page was walked. */
  density: number
  hasFilter: boolean
  /** Users in the filter, search aside. */
  filterSize: number
}

/** A walked search's total, up to one past the cap: by walking on while matches are dense, else from the index. */
function countSearch(store: Store, request: CountRequest): number {
  const { from, filterCondition, matches, words, longMatch, vocabulary, density, hasFilter } = request
  if (longMatch !== null && !hasFilter && !words.some(isShort)) return countCandidates(store, longMatch, null, TOTAL_CAP)
  if ((TOTAL_CAP + 1) / Math.max(density, 1e-9) <= WALK_COUNT_BUDGET) {
    // Entries and matches both bounded: the inner walk stops at the budget, the count at the cap.
    const walked =
      getRaw(
        store,
        sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM (
          SELECT ${matches} AS hit FROM ${from} WHERE ${filterCondition} LIMIT ${WALK_COUNT_BUDGET}) WHERE hit LIMIT ${TOTAL_CAP + 1})`
      )?.n ?? 0
    if (walked > TOTAL_CAP || request.filterSize <= WALK_COUNT_BUDGET) return walked
  }
  const match = longMatch ?? ftsQuery(store, words, true, vocabulary)
  if (match === null) return 0
  return countCandidates(store, match, all([filterCondition, matches]), TOTAL_CAP)
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
