import { userInfo } from 'node:os'
import type BetterSqlite3 from 'better-sqlite3'
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable, type RawBuilder } from 'kysely'
import type { Database } from './db/schema'
import { openDatabaseFile, openReadConnection, type OpenDatabaseOptions } from './db/open'
import { memoryDirectusTarget, type DirectusTargetStorage } from './directus-target'
import type { InviteKeys } from './invite-keys'
import { adoptTokenCache } from './invite-token-cache'

/**
 * The store every domain module takes as its first argument.
 *
 * Queries are built with kysely (typed by `Database`) and run synchronously by better-sqlite3,
 * so a transaction is an ordinary synchronous function and no other call can interleave with it.
 */
export interface Store {
  readonly sqlite: BetterSqlite3.Database
  /** A query builder only: build with it, run with `all` / `get` / `run`. */
  readonly db: Kysely<Database>
  readonly file: string
  /** The operating-system user recorded in the activity log. */
  readonly actor: string
  /** The keys invite tokens are signed and checked with; they live outside the database file. */
  readonly inviteKeys: InviteKeys
  /** Where the Directus URL and SECRET are kept, outside the database file. */
  readonly directusTarget: DirectusTargetStorage
  now(): Date
  all<O>(query: Compilable<O>): O[]
  get<O>(query: Compilable<O>): O | undefined
  run(query: Compilable<unknown>): BetterSqlite3.RunResult
  /**
   * A prepared statement, cached by its SQL: for hot paths that run one statement many times.
   * `Row` is what the SQL selects: build its select list with `columns()` (db/columns.ts) so the
   * row type and the SQL name the same columns.
   */
  prepare<Row = unknown, Params extends unknown[] = unknown[]>(sql: string): BetterSqlite3.Statement<Params, Row>
  /** Run `fn` in one transaction (a savepoint when nested); all of it or none of it. */
  transaction<T>(fn: () => T): T
  /**
   * The same database through a second, read-only connection, opened on first use: it sees what
   * was last committed, so reads can go on while a long import or invite holds a transaction
   * open on this one. Null for an in-memory database (and on the snapshot itself).
   */
  snapshot(): Store | null
  /**
   * Hand back what this connection's (and the snapshot's) page cache holds: bulk writes fill it,
   * and it would otherwise stay full while the app idles. Reads refill it as they need.
   */
  releaseMemory(): void
  close(): void
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  file: string
  inviteKeys: InviteKeys
  /** Defaults to memory: nothing is kept once the store closes. */
  directusTarget?: DirectusTargetStorage
  actor?: string
  now?: () => Date
}

const queryBuilder = new Kysely<Database>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler()
  }
})

export function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown'
  }
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { sqlite } = await openDatabaseFile(options.file, options)
  const store = createStore(sqlite, options)
  try {
    adoptTokenCache(store)
  } catch (error) {
    store.close()
    throw error
  }
  return store
}

export function createStore(
  sqlite: BetterSqlite3.Database,
  options: Pick<OpenStoreOptions, 'file' | 'inviteKeys' | 'directusTarget' | 'actor' | 'now'>,
  readOnly = false
): Store {
  const statements = new Map<string, BetterSqlite3.Statement<unknown[]>>()
  const prepare = <Row = unknown, Params extends unknown[] = unknown[]>(sql: string): BetterSqlite3.Statement<Params, Row> => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = sqlite.prepare(sql)
      // Queries with generated IN-lists vary in shape; keep the cache bounded.
      if (statements.size > 500) statements.clear()
      statements.set(sql, statement)
    }
    // The one place a raw statement gets its row type: the caller's select list names it.
    return statement as unknown as BetterSqlite3.Statement<Params, Row>
  }
  const now = options.now ?? (() => new Date())
  const onDisk = !sqlite.memory && sqlite.name !== '' && sqlite.name !== ':memory:'
  let reader: Store | null | undefined = readOnly || !onDisk ? null : undefined
  return {
    sqlite,
    db: queryBuilder,
    file: options.file,
    actor: options.actor ?? osUser(),
    inviteKeys: options.inviteKeys,
    directusTarget: options.directusTarget ?? memoryDirectusTarget(),
    now,
    all<O>(query: Compilable<O>): O[] {
      const { sql, parameters } = query.compile()
      // The row shape is the one kysely inferred for this query from `Database`.
      return prepare(sql).all(...parameters) as O[]
    },
    get<O>(query: Compilable<O>): O | undefined {
      const { sql, parameters } = query.compile()
      // As above: kysely's inferred row type.
      return prepare(sql).get(...parameters) as O | undefined
    },
    run(query: Compilable<unknown>): BetterSqlite3.RunResult {
      const { sql, parameters } = query.compile()
      return prepare(sql).run(...parameters)
    },
    prepare,
    transaction<T>(fn: () => T): T {
      return sqlite.transaction(fn)()
    },
    snapshot(): Store | null {
      if (reader === undefined) reader = createStore(openReadConnection(sqlite.name), { ...options, now }, true)
      return reader
    },
    releaseMemory(): void {
      if (sqlite.open) sqlite.pragma('shrink_memory')
      reader?.releaseMemory()
    },
    close(): void {
      statements.clear()
      reader?.close()
      reader = readOnly ? null : undefined
      if (sqlite.open) sqlite.close()
    }
  }
}

/** Run a raw kysely query (`sql<Row>\`…\``) through the store's statement cache. */
export function allRaw<O>(store: Store, query: RawBuilder<O>): O[] {
  const compiled = query.compile(store.db)
  return store.prepare<O>(compiled.sql).all(...compiled.parameters)
}

export function getRaw<O>(store: Store, query: RawBuilder<O>): O | undefined {
  const compiled = query.compile(store.db)
  return store.prepare<O>(compiled.sql).get(...compiled.parameters)
}
