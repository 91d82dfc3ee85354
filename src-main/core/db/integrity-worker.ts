/**
 * The integrity check of a database file, as steps that report progress and can stop between
 * them, so opening a large file shows how far the check is and can be cancelled.
 *
 * Measured on a 1,000,000-user database (839 MB) on the 2-core development machine:
 * `PRAGMA integrity_check` took 113 s, `PRAGMA quick_check` 7.2 s. Both walk every b-tree page;
 * integrity_check also reads every index back against its table, which is what costs the extra
 * 100 s. quick_check is what runs here, because waiting two minutes at every open is no check an
 * admin would keep, and the damage that makes later writes destroy data — a page overwritten,
 * torn or cross-linked — is in the b-tree structure it reads.
 *
 * One quick_check is one native call: no progress and no stopping until it returns. So the same
 * work is done in parts: `quick_check(<table>)` per table (with its indexes; the search index's
 * own check for a virtual table) and `quick_check(sqlite_schema)` for the schema and the
 * freelist, weighted by the pages each reads. What a per-table check cannot see — a page used
 * by two b-trees, or by none — is found by counting every b-tree page once (`dbstat`). On that
 * database the parts took 6.6 s in all.
 *
 * It runs in a worker thread, so the main process keeps answering calls meanwhile, and on the
 * main thread for small files or where no worker can start. It imports nothing of the app's, so
 * a worker can load this file as it is; its entry is at the bottom.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import BetterSqlite3 from 'better-sqlite3'

export interface IntegrityProgress {
  done: number
  total: number
}

export type IntegrityVerdict = { ok: true } | { ok: false; problem: string }

/** Counting a page costs about a sixth of checking one (1.1 s for 204,000 pages, against 5.5 s). */
const COUNT_WEIGHT = 1 / 6
/** Pages counted between two progress reports. */
const COUNT_SLICE = 8192
/** SQLite never uses the page holding byte 2^30 of the file (its lock bytes). */
const LOCK_BYTE_OFFSET = 0x40000000

interface Part {
  /** The argument of quick_check. */
  name: string
  /** Pages it reads, for progress. */
  weight: number
}

type SchemaRow = { type: string; name: string; tbl_name: string; sql: string | null }

/**
 * Check the database `sqlite` is open on; every step yields progress, and the last answers.
 * Meant for a read-only connection inside one read transaction, so every part sees one state.
 */
export function* integritySteps(sqlite: BetterSqlite3.Database): Generator<IntegrityProgress, IntegrityVerdict> {
  try {
    return yield* checkSteps(sqlite)
  } catch (error) {
    // A page so damaged that reading it fails is a verdict too, not a crash of the check.
    return { ok: false, problem: error instanceof Error ? error.message : String(error) }
  }
}

function* checkSteps(sqlite: BetterSqlite3.Database): Generator<IntegrityProgress, IntegrityVerdict> {
  const pragma = (name: string): number => Number(sqlite.pragma(name, { simple: true }))
  const pageCount = pragma('page_count')
  const pageSize = pragma('page_size')
  const freelistCount = pragma('freelist_count')
  const autoVacuum = pragma('auto_vacuum')

  const pagesOf = new Map<string, number>()
  for (const [name, pages] of sqlite.prepare<[], [string, number]>("SELECT name, pageno FROM dbstat('main', 1)").raw().all()) {
    pagesOf.set(name, pages)
  }
  const parts = partsOf(sqlite.prepare<[], SchemaRow>('SELECT type, name, tbl_name, sql FROM sqlite_schema').all(), pagesOf)
  const countWeight = pageCount * COUNT_WEIGHT
  const total = Math.max(1, Math.round(countWeight + parts.reduce((sum, part) => sum + part.weight, 0)))
  let done = 0
  yield { done, total }

  const seen = new Uint8Array(pageCount + 1)
  let counted = 0
  for (const page of sqlite.prepare<[], number>('SELECT pageno FROM dbstat').pluck().iterate()) {
    if (page < 1 || page > pageCount) return { ok: false, problem: `A b-tree points to page ${page}, beyond the end of the file` }
    if (seen[page] === 1) return { ok: false, problem: `Page ${page} is used twice` }
    seen[page] = 1
    if (++counted % COUNT_SLICE === 0) yield { done: Math.round(counted * COUNT_WEIGHT), total }
  }
  const lockBytePage = Math.floor(LOCK_BYTE_OFFSET / pageSize) + 1
  const unused = pageCount - counted - freelistCount - (pageCount >= lockBytePage ? 1 : 0)
  // With auto-vacuum the file also holds pointer-map pages; Rolekeeper's files never use it.
  if (autoVacuum === 0 && unused !== 0) {
    return { ok: false, problem: `${Math.abs(unused)} page${Math.abs(unused) === 1 ? ' is' : 's are'} not accounted for` }
  }
  done = Math.round(countWeight)
  yield { done, total }

  for (const part of parts) {
    const result = sqlite
      .prepare<[], string>(`PRAGMA quick_check('${part.name.replaceAll("'", "''")}')`)
      .pluck()
      .all()
    if (result.length !== 1 || result[0] !== 'ok') return { ok: false, problem: result.slice(0, 3).join('; ') }
    done += part.weight
    yield { done: Math.min(total, Math.round(done)), total }
  }
  return { ok: true }
}

/**
 * One part per table, weighted by the pages of the table and its indexes; a virtual table by its
 * shadow tables' and its content table's, which its own check reads. The schema (and the
 * freelist) last.
 */
function partsOf(schema: readonly SchemaRow[], pagesOf: ReadonlyMap<string, number>): Part[] {
  const pages = (name: string): number => pagesOf.get(name) ?? 0
  const tables = schema.filter((row) => row.type === 'table')
  const parts = tables.map((table): Part => {
    if (/^CREATE\s+VIRTUAL\s+TABLE/i.test(table.sql ?? '')) {
      const content = /\bcontent\s*=\s*'?(\w+)'?/i.exec(table.sql ?? '')?.[1]
      const shadows = tables.filter((other) => other.name.startsWith(`${table.name}_`))
      return { name: table.name, weight: shadows.reduce((sum, shadow) => sum + pages(shadow.name), content ? pages(content) : 0) }
    }
    const indexes = schema.filter((row) => row.type === 'index' && row.tbl_name === table.name)
    return { name: table.name, weight: indexes.reduce((sum, index) => sum + pages(index.name), pages(table.name)) }
  })
  parts.push({ name: 'sqlite_schema', weight: pages('sqlite_schema') })
  return parts
}

// ---------------------------------------------------------------------------------------------
// The worker's entry

/** What the worker is started with. */
export interface IntegrityJob {
  kind: 'rolekeeper-integrity'
  file: string
}

/** What the worker posts: progress, then one verdict. */
export type IntegrityMessage = ({ kind: 'progress' } & IntegrityProgress) | { kind: 'verdict'; verdict: IntegrityVerdict }

function isIntegrityJob(value: unknown): value is IntegrityJob {
  return typeof value === 'object' && value !== null && Reflect.get(value, 'kind') === 'rolekeeper-integrity'
}

/** Open `file` read-only and check it inside one read transaction. */
export function* checkFile(file: string): Generator<IntegrityProgress, IntegrityVerdict> {
  let sqlite: BetterSqlite3.Database
  try {
    sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) }
  }
  try {
    sqlite.exec('BEGIN')
    return yield* integritySteps(sqlite)
  } finally {
    sqlite.close()
  }
}

if (!isMainThread && parentPort && isIntegrityJob(workerData)) {
  const port = parentPort
  const steps = checkFile(workerData.file)
  for (;;) {
    const step = steps.next()
    if (step.done) {
      port.postMessage({ kind: 'verdict', verdict: step.value } satisfies IntegrityMessage)
      break
    }
    port.postMessage({ kind: 'progress', ...step.value } satisfies IntegrityMessage)
  }
}
