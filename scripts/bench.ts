/**
 * `npm run bench [-- --json] [-- --quick]`: the figures of PRODUCT.md §6, measured on fresh
 * temporary databases with the real migrations and the real core services.
 *
 * Prints a table with each figure beside its target; with `--json`, one JSON object per line
 * (`{"name","value","unit","p50","p99","n","floor"?,"ratio"?}`, `value` the median) and progress
 * on stderr. Every latency is a set of samples reported by its median, its 99th percentile and
 * their count, so a tail cannot hide behind a median; a figure above its target is marked.
 * `--quick` leaves out the 1,000,000-user tier. Seeded databases are kept in `.bench/`, keyed by
 * the seed's and the schema's source, and copied for each run, so a second run skips the seeding.
 */
import { spawnSync } from 'node:child_process'
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gzipSync } from 'node:zlib'
import { saveRoleChanges } from '../src-main/core/changeset'
import { FOLD_SLICE, foldRoleIndex, roleIndexTrails } from '../src-main/core/role-index'
import { exportToFile, previewExport, type ExportRequest } from '../src-main/core/export'
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, type ExportFormat } from '../src-main/core/model'
import { applyImport, previewImport } from '../src-main/core/import'
import { inviteSigningKey, newSigningKey, type InviteKeys } from '../src-main/core/invite-keys'
import { inviteTokensFor, signInvites, type InviteTokenRow } from '../src-main/core/invite-token-cache'
import { newInviteNonces } from '../src-main/core/invite-tokens'
import { inviteUsers, listInvites } from '../src-main/core/invites'
import { createRole } from '../src-main/core/roles'
import { openStore, type Store } from '../src-main/core/store'
import { listUsers } from '../src-main/core/user-directory'
import {
  createRoleInput,
  importOptions,
  inviteUsersInput,
  listInvitesInput,
  listUsersInput,
  saveRoleChangesInput
} from '../src-main/core/inputs'
import { createHandlerMap, type HandlerMap } from '../src-main/ipc/handlers'
import type { FilePort, SaveTarget } from '../src-main/ipc/ports'
import { hostMemoryAfterWork, startHostProcess, typingLatencies } from './bench-browser'
import { importFileOf } from './import-files'
import { searchQueries } from './search-queries'
import { seed } from './seed'

const SEARCHES = searchQueries()

const ROOT = resolve(import.meta.dirname, '..')

interface Figure {
  name: string
  value: number
  unit: 'ms' | 'MB' | 'KB' | 'x'
  /** Latencies: the median (= value), the 99th percentile and how many samples. */
  p50?: number
  p99?: number
  n?: number
  floor?: number
  ratio?: number
  /** Shown in the table: the target in words, and whether the figure meets it. */
  target: string
  met: boolean | null
}

const SECTIONS = ['invites', 'tiers', 'handoff', 'import', 'renderer'] as const
const { values: flags } = parseArgs({ options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string' } } })
/** `--only handoff,import`: just those sections (invite paste, the user tiers, hand-off export and import, the mixed CSV import, renderer size). */
const only = new Set(flags.only?.split(',') ?? SECTIONS)
for (const section of only) {
  if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only takes ${SECTIONS.join(', ')}; not ${section}`)
}
const figures: Figure[] = []

function note(message: string): void {
  process.stderr.write(`${message}\n`)
}

function report(figure: Figure): void {
  figures.push(figure)
  if (flags.json) {
    const { name, value, unit, p50, p99, n, floor, ratio } = figure
    const optional = { p50, p99, n, floor, ratio }
    const present = Object.fromEntries(Object.entries(optional).filter(([, entry]) => entry !== undefined))
    console.log(JSON.stringify({ name, value, unit, ...present }))
  } else {
    const tail = figure.p99 === undefined ? '' : ` (p99 ${format(figure.p99)}, n ${figure.n ?? 0})`
    note(`  ${figure.name}: ${format(figure.value)} ${figure.unit}${tail}${figure.met === false ? '  MISSED' : ''}`)
  }
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits))
const format = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2))

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/** The nearest-rank percentile: the smallest sample that `p` of the samples do not exceed. */
function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0
}

/** A latency figure from its samples; `limit` applies to the p99, `median` (if given) to the p50. */
function latency(name: string, samples: number[], target: { p99: number; p50?: number }): Figure {
  const p50 = median(samples)
  const p99 = percentile(samples, 0.99)
  const words = target.p50 === undefined ? `p99 ≤ ${target.p99} ms` : `p50 ≤ ${target.p50}, p99 ≤ ${target.p99} ms`
  return {
    name,
    value: round(p50, 2),
    unit: 'ms',
    p50: round(p50, 2),
    p99: round(p99, 2),
    n: samples.length,
    target: words,
    met: p99 <= target.p99 && (target.p50 === undefined || p50 <= target.p50)
  }
}

function time(fn: () => unknown): number {
  const started = performance.now()
  fn()
  return performance.now() - started
}

// The heap figure needs a collection before measuring; `gc` is not exposed by default.
setFlagsFromString('--expose-gc')
const collect = runInNewContext('gc') as () => void // the function V8 exposes under that flag

// ---------------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'rolekeeper-bench-'))
let databases = 0

async function freshKeys(): Promise<InviteKeys> {
  return { signing: await inviteSigningKey(newSigningKey()), legacy: null }
}

async function freshStore(): Promise<Store> {
  return openStore({ file: join(work, `bench-${++databases}.db`), inviteKeys: await freshKeys(), actor: 'bench' })
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

function dropStore(store: Store): void {
  const file = store.file
  store.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true })
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Mina', 'José', 'Zoë', 'Kenji', 'Priya', 'Omar', 'Lucía']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Novak', 'García', 'Müller', 'Tanaka', 'Patel', 'Haddad', 'Silva']

/** A realistic paste: `Name <addr>` and bare addresses, mixed separators, CRLF line ends. */
function pasteOf(
  count: number,
  prefix: string
): { text: string; people: Array<{ email: string; first: string | null; last: string | null }> } {
  const people: Array<{ email: string; first: string | null; last: string | null }> = []
  const pieces: string[] = []
  for (let index = 0; index < count; index++) {
    const first = FIRST[index % FIRST.length] ?? 'Ada'
    const last = LAST[Math.floor(index / FIRST.length) % LAST.length] ?? 'Lovelace'
    const email = `${prefix}.${index}@example.org`
    if (index % 3 === 0) {
      people.push({ email, first: null, last: null })
      pieces.push(email)
    } else {
      people.push({ email, first, last })
      pieces.push(`${first} ${last} <${email}>`)
    }
  }
  const separators = [',\r\n', '; ', '\n', ', ']
  const text = pieces.map((piece, index) => piece + (separators[index % separators.length] ?? '\n')).join('')
  return { text, people }
}

async function benchInvites(): Promise<void> {
  note('Invite 10,000 pasted addresses, and the raw better-sqlite3 floor…')
  const COUNT = 10_000
  const inviteTimes: number[] = []
  const floorTimes: number[] = []
  for (let run = 0; run < 4; run++) {
    const { text, people } = pasteOf(COUNT, `invite${run}`)

    const store = await freshStore()
    const role = createRole(store, createRoleInput.parse({ name: 'Editors' }))
    const took = await timeAsync(async () => {
      const batch = await inviteUsers(store, inviteUsersInput.parse({ text, roleId: role.id }))
      if (batch.counts.invited !== COUNT) throw new Error(`Expected ${COUNT} invited, got ${JSON.stringify(batch.counts)}`)
    })
    dropStore(store)

    // The floor: the same rows into the same table (same indexes and triggers), prepared
    // statement, one transaction; everything computed beforehand (ids, nonces, keys, times);
    // plus the same 10,000 tokens' signatures made the plainest way, node:crypto's sign, one after another.
    const floorStore = await freshStore()
    const floorRole = createRole(floorStore, createRoleInput.parse({ name: 'Editors' }))
    const now = new Date().toISOString()
    const expires = new Date(Date.now() + 7 * 86_400_000).toISOString()
    const nonces = newInviteNonces(COUNT)
    const rows = people.map((person, index) => [
      randomUUID(),
      person.email,
      person.email.toLowerCase(),
      person.first,
      person.last,
      'invited',
      floorRole.id,
      floorRole.id,
      now,
      expires,
      nonces[index] ?? '',
      now,
      now,
      'bench'
    ])
    // The fastest plain technique: 100 rows to a prepared multi-row INSERT, so the floor is a floor.
    const BATCH = 100
    const insert = floorStore.sqlite.prepare(
      `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, indexed_role_id, invited_at,
         invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by) VALUES ` +
        Array.from({ length: BATCH }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
    )
    const batches = Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, index) =>
      rows.slice(index * BATCH, (index + 1) * BATCH).flat()
    )
    if (rows.length % BATCH !== 0) throw new Error('The floor expects whole batches')
    const insertTook = time(() => floorStore.sqlite.transaction(() => batches.forEach((batch) => insert.run(batch)))())
    const privateKey = createPrivateKey({ key: newSigningKey().export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' })
    const signTook = time(() => {
      for (const row of rows) {
        const claims = {
          iss: 'urn:rolekeeper:bench',
          sub: row[0],
          email: row[1],
          role: row[6],
          scope: 'invite',
          jti: row[9],
          iat: 0,
          exp: 0
        }
        sign(null, Buffer.from(JSON.stringify(claims)), privateKey)
      }
    })
    const floorTook = insertTook + signTook
    dropStore(floorStore)

    // The first run warms up the JIT and the page cache for both; it is not counted.
    if (run > 0) {
      inviteTimes.push(took)
      floorTimes.push(floorTook)
    }
  }
  const value = median(inviteTimes)
  const floor = median(floorTimes)
  const ratio = value / floor
  report({
    name: 'invite 10,000 pasted addresses',
    value: round(value),
    unit: 'ms',
    p50: round(value),
    p99: round(percentile(inviteTimes, 0.99)),
    n: inviteTimes.length,
    floor: round(floor),
    ratio: round(ratio, 2),
    target: '≤ 1.5 × floor',
    met: ratio <= 1.5
  })
}

/** Bump when the seed's output changes in a way its source does not show. */
const SEED_VERSION = 1
const CACHE = join(ROOT, '.bench')

/** The seed's and the schema's sources with the options: a cached database is good while these are the same. */
function seedKey(users: number, members: number): string {
  const hash = createHash('sha256')
  for (const file of ['scripts/seed.ts', 'src-main/core/db/migrations.ts']) hash.update(readFileSync(join(ROOT, file)))
  hash.update(JSON.stringify({ SEED_VERSION, users, members, roles: 8 }))
  return hash.digest('hex').slice(0, 16)
}

/**
 * A seeded database of `users` users whose "Editors" role has `members` members: a copy of the
 * cached one when there is one for this seed and schema, else seeded now (and cached).
 */
async function seededStore(users: number, members: number): Promise<{ store: Store; editorsId: string; adminId: string }> {
  mkdirSync(CACHE, { recursive: true })
  const cached = join(CACHE, `seed-${users}-${seedKey(users, members)}.db`)
  const file = join(work, `bench-${++databases}.db`)
  const inviteKeys = await freshKeys()
  if (existsSync(cached)) {
    note(`  copying the cached seeded database (${cached})…`)
    copyFileSync(cached, file)
  } else {
    const store = await openStore({ file, inviteKeys, actor: 'bench' })
    const started = performance.now()
    seed(store, {
      users,
      roles: 8,
      membersInFirstRole: members,
      onProgress(done, total, phase) {
        process.stderr.write(
          `\r\x1b[2K  seeding ${phase === 'users' ? `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} users` : `${phase}…`}`
        )
      }
    })
    process.stderr.write(
      `\r\x1b[2K  seeded ${users.toLocaleString('en-US')} users in ${((performance.now() - started) / 1000).toFixed(1)} s\n`
    )
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    store.close()
    // Old seeds of this size are of an older seed or schema: keep only the current one.
    for (const name of readdirSync(CACHE)) if (name.startsWith(`seed-${users}-`)) rmSync(join(CACHE, name), { force: true })
    copyFileSync(file, cached)
  }
  const store = await openStore({ file, inviteKeys, actor: 'bench' })
  const role = (name: string): string => String(store.sqlite.prepare('SELECT id FROM roles WHERE name = ?').pluck().get(name) ?? '')
  const adminId = String(store.sqlite.prepare('SELECT id FROM roles WHERE admin_access = 1 LIMIT 1').pluck().get() ?? '')
  const editorsId = role('Editors')
  if (!editorsId || !adminId) throw new Error('The seed made no Editors or Administrator role')
  return { store, editorsId, adminId }
}

function benchChangeSet(store: Store, roleId: string, adminId: string, tier: string): void {
  note(`Save a change set adding 10,000 and removing 10,000 members at ${tier} users…`)
  const ids = (sql: string, ...params: unknown[]): string[] =>
    store.sqlite
      .prepare(sql)
      .pluck()
      .all(...params)
      .map((id) => String(id))
  const members = ids('SELECT id FROM users WHERE role_id = ? ORDER BY rowid LIMIT 10000', roleId)
  const others = ids('SELECT id FROM users WHERE role_id IS NOT ? AND role_id IS NOT ? ORDER BY rowid LIMIT 10000', roleId, adminId)
  if (members.length < 10_000 || others.length < 10_000) throw new Error('Not enough users for the change set')

  const samples: number[] = []
  const trailingPages: number[] = []
  const catchUps: number[] = []
  const slices: number[] = []
  const firstPage = listUsersInput.parse({ filter: { roleId }, sort: { field: 'name', direction: 'asc' }, limit: 200 })
  let inRole = members
  let outside = others
  for (let run = 0; run < 6; run++) {
    const input = saveRoleChangesInput.parse({ roleId, add: outside, remove: inRole })
    const took = time(() => {
      const result = saveRoleChanges(store, input)
      if (result.added !== 10_000 || result.removed !== 10_000) throw new Error(`Unexpected result ${result.added}/${result.removed}`)
    })
    if (run > 0) samples.push(took)
    // The role page as it reads right after the save, while the role index trails: its first page.
    trailingPages.push(...sampled([firstPage, firstPage, firstPage], (page) => listUsers(store, page)))
    // Then the role index catches up, slice by slice, as the app does between calls.
    let caughtUp = 0
    for (;;) {
      let folded = 0
      const slice = time(() => {
        folded = foldRoleIndex(store)
      })
      if (folded === 0) break
      slices.push(slice)
      caughtUp += slice
    }
    catchUps.push(caughtUp)
    // The next run undoes this one: the same size of change in the other direction.
    ;[inRole, outside] = [outside, inRole]
  }
  report(latency(`change set +10,000 / −10,000 members, ${tier} users`, samples, { p99: 300 }))
  report(latency(`first page of the role while its index catches up, ${tier} users`, trailingPages, { p99: 30 }))
  report(latency(`one slice of the role index catching up (${FOLD_SLICE} members), ${tier} users`, slices, { p99: 50 }))
  report({
    name: `the role index caught up after a change set (in the background), ${tier} users`,
    value: round(median(catchUps)),
    unit: 'ms',
    p50: round(median(catchUps)),
    p99: round(percentile(catchUps, 0.99)),
    n: catchUps.length,
    target: 'no target set',
    met: null
  })
}

/** Every sample of `fn` over `inputs`, after one pass that warms the caches. */
function sampled<T>(inputs: readonly T[], fn: (input: T) => unknown): number[] {
  for (const input of inputs) fn(input)
  return inputs.map((input) => time(() => fn(input)))
}

function benchReads(store: Store, roleId: string, tier: string): void {
  note(`First pages and ${SEARCHES.length} searches (within a role and over all users) at ${tier} users…`)
  const firstPage = listUsersInput.parse({ filter: { roleId }, sort: { field: 'name', direction: 'asc' }, limit: 200 })
  const pages = sampled(
    Array.from({ length: 50 }, () => firstPage),
    (input) => listUsers(store, input)
  )
  report(latency(`first page of a role's members, ${tier} users`, pages, { p99: 30 }))

  const search = (filter: { roleId?: string }): number[] =>
    sampled(SEARCHES, (query) =>
      listUsers(
        store,
        listUsersInput.parse({ filter: { ...filter, search: query.text }, sort: { field: 'name', direction: 'asc' }, limit: 200 })
      )
    )
  report(latency(`search within a role of ${tier === '1,000,000' ? '200,000' : '20,000'}, ${tier} users`, search({ roleId }), { p99: 30 }))
  report(latency(`search over all users, ${tier} users`, search({}), { p99: 30 }))
}

/** Between one read's answer and the next read's asking, in readsDuring. */
const READ_INTERVAL = 10

/**
 * Read calls through the handler map, one every few milliseconds, while `work` runs: each call's
 * time from when it was due to its answer, so a call queued behind the work or blocked by it
 * shows, and so does one that could not even be asked while the work held the thread (as a
 * message from the window would wait in the queue).
 */
async function readsDuring(api: HandlerMap, roleId: string, work: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = []
  let running = true
  const reads = (async () => {
    let index = 0
    let due = performance.now()
    while (running) {
      const query = SEARCHES[index++ % SEARCHES.length]
      await api.listUsers(index % 2 === 0 ? { filter: { roleId }, limit: 100 } : { filter: { search: query?.text ?? 'a' }, limit: 100 })
      samples.push(performance.now() - due)
      due = performance.now() + READ_INTERVAL
      await new Promise((done) => setTimeout(done, READ_INTERVAL))
    }
  })()
  try {
    await work()
  } finally {
    running = false
    await reads
  }
  return samples
}

async function benchReadsWhileWorking(store: Store, roleId: string, tier: string): Promise<void> {
  note(`Reads during a backup, an import preview and an import apply at ${tier} users…`)
  const target = join(work, 'backup.db')
  const files: FilePort = benchFiles({ path: target })
  const api = createHandlerMap({ store, appInfo: { version: 'bench', databasePath: store.file, runtime: 'host' }, files })
  const backup = await readsDuring(api, roleId, async () => {
    const result = await api.backupDatabase({ operationId: randomUUID() })
    if (!result.ok) throw new Error(`The backup failed: ${result.error.message}`)
  })
  rmSync(target, { force: true })
  report(latency(`read calls during a backup, ${tier} users`, backup, { p99: 50 }))

  const text = importFileOf(100_000, [])
  const options = { existing: 'update', newUsersAs: 'invited' } as const
  const preview = await readsDuring(api, roleId, async () => {
    const result = await api.previewImport({ file: { text }, ...options })
    if (!result.ok) throw new Error(`The preview failed: ${result.error.message}`)
  })
  report(latency(`read calls during an import preview (100,000 rows), ${tier} users`, preview, { p99: 50 }))
  const apply = await readsDuring(api, roleId, async () => {
    const result = await api.applyImport({ file: { text }, ...options, operationId: randomUUID() })
    if (!result.ok) throw new Error(`The import failed: ${result.error.message}`)
  })
  report(latency(`read calls during an import apply (100,000 rows), ${tier} users`, apply, { p99: 50 }))

  // A change set leaves the role index trailing; the handler map catches it up between calls.
  const members = store.sqlite.prepare('SELECT id FROM users WHERE role_id = ? ORDER BY rowid LIMIT 10000').pluck().all(roleId)
  const saved = await api.saveRoleChanges({ roleId, remove: members })
  if (!saved.ok) throw new Error(`The change set failed: ${saved.error.message}`)
  const catchingUp = await readsDuring(api, roleId, async () => {
    while (roleIndexTrails(store)) await new Promise((done) => setTimeout(done, 20))
  })
  report(latency(`read calls while the role index catches up after a change set, ${tier} users`, catchingUp, { p99: 50 }))
}

/** Dialogs that always answer `target`, for calls run outside a window. */
function benchFiles(target: SaveTarget): FilePort {
  const none = (): Promise<never> => Promise.reject(new Error('Not offered in the benchmark'))
  return {
    chooseExportTarget: () => Promise.resolve(target),
    chooseBackupTarget: () => Promise.resolve(target),
    progress: () => undefined,
    ended: () => undefined,
    chooseImportFile: none,
    readImportFile: none,
    chooseVerificationKeyTarget: () => Promise.resolve(target),
    chooseDatabaseFile: none,
    openDatabase: none,
    useDatabase: () => undefined
  }
}

/**
 * The browser host at 1,000,000 users, in a process of its own: typing into the User Directory
 * in Chromium, then its memory after 200 pages and 200 searches, and after two 100,000-row imports.
 */
async function benchBrowserAndMemory(store: Store, roleId: string, tier: string): Promise<void> {
  ensureRendererBuilt()
  const file = store.file
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  note(`Typing searches in Chromium through the browser host at ${tier} users…`)
  const host = await startHostProcess(file)
  try {
    const typed = SEARCHES.filter((query) => query.kind !== 'one character')
      .slice(0, 80)
      .map((query) => query.text)
    const keystrokes = await typingLatencies(host, typed)
    report(latency(`keystroke to rendered results in the browser, ${tier} users`, keystrokes, { p50: 100, p99: 200 }))

    note(`Host memory after 200 pages and 200 searches, then two 100,000-row imports…`)
    const memory = await hostMemoryAfterWork(host, roleId, SEARCHES.slice(0, 200), IDLE_MS)
    report(memoryFigure(`host memory after 200 pages and 200 searches, ${tier} users`, memory.afterReads))
    report(memoryFigure(`host memory after two 100,000-row imports and ${IDLE_MS / 1000} s idle, ${tier} users`, memory.afterImports))
  } finally {
    await host.stop()
  }
}

const IDLE_MS = 10_000

function memoryFigure(name: string, memory: { rssAnon: number; rss: number }): Figure {
  return {
    name: `${name} (RssAnon; RSS ${format(memory.rss)} MB)`,
    value: round(memory.rssAnon),
    unit: 'MB',
    target: '≤ 150 MB',
    met: memory.rssAnon <= 150
  }
}

function ensureRendererBuilt(): void {
  if (existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) return
  note('Building the renderer…')
  const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error('The renderer could not be built')
}

const TOKEN_ROW_SQL = `SELECT id, email, role_id, invite_nonce, invited_at, invite_expires_at, invite_token_seal
  FROM users WHERE status = 'invited' ORDER BY rowid LIMIT 10000`

/** Tokens of 10,000 invites: signed (as when they are made), and taken from the token cache (as an export does). */
async function benchTokens(store: Store): Promise<void> {
  note('Tokens for 10,000 invites: signed, and from the cache…')
  const rows = store.sqlite.prepare(TOKEN_ROW_SQL).all() as InviteTokenRow[] // the columns InviteTokenRow names
  if (rows.length !== 10_000 || rows.some((row) => row.invite_token_seal === null)) throw new Error('Expected 10,000 cached invites')
  await signInvites(store, rows.slice(0, 500))
  const signing: number[] = []
  for (let run = 0; run < 3; run++) signing.push(await timeAsync(() => signInvites(store, rows)))
  const signed = median(signing)
  report({
    name: 'sign 10,000 invite tokens (WebCrypto, thread pool)',
    value: round(signed),
    unit: 'ms',
    target: 'no target set',
    met: null
  })
  const unsealing: number[] = []
  for (let run = 0; run < 5; run++) unsealing.push(await timeAsync(() => inviteTokensFor(store, rows)))
  const unsealed = median(unsealing)
  report({ name: '10,000 invite tokens from the cache', value: round(unsealed, 2), unit: 'ms', target: 'no target set', met: null })
}

/** The heap in use outside the young generation: what has outlived at least one scavenge. */
function heapBeyondYoung(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0)
}

async function benchInviteExport(): Promise<void> {
  note('Export-ready listing of 100,000 invites…')
  const store = await freshStore()
  const role = createRole(store, createRoleInput.parse({ name: 'Editors' }))
  for (let part = 0; part < 2; part++) {
    await inviteUsers(store, inviteUsersInput.parse({ text: pasteOf(50_000, `export${part}`).text, roleId: role.id }))
  }
  await benchTokens(store)

  const walk = async (roleId: string | undefined): Promise<{ took: number; rows: number; heapGrowth: number; keptGrowth: number }> => {
    collect()
    const heapBefore = process.memoryUsage().heapUsed
    const keptBefore = heapBeyondYoung()
    let peak = heapBefore
    let keptPeak = keptBefore
    let rows = 0
    const took = await timeAsync(async () => {
      let after: string | undefined
      do {
        const page = await listInvites(
          store,
          listInvitesInput.parse({ ...(roleId === undefined ? {} : { roleId }), limit: 500, ...(after === undefined ? {} : { after }) })
        )
        rows += page.rows.length
        after = page.nextCursor ?? undefined
        if (rows % 10_000 === 0) {
          peak = Math.max(peak, process.memoryUsage().heapUsed)
          keptPeak = Math.max(keptPeak, heapBeyondYoung())
        }
      } while (after !== undefined)
    })
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    keptPeak = Math.max(keptPeak, heapBeyondYoung())
    if (rows !== 100_000) throw new Error(`Listed ${rows} invites, expected 100,000`)
    return { took, rows, heapGrowth: (peak - heapBefore) / 1024 / 1024, keptGrowth: (keptPeak - keptBefore) / 1024 / 1024 }
  }
  await walk(role.id)
  const byRole = await walk(role.id)
  report({
    name: 'list 100,000 invites of a role (pages of 500)',
    value: round(byRole.took),
    unit: 'ms',
    target: '≤ 1000 ms',
    met: byRole.took <= 1000
  })
  // Each page is garbage once read, and V8 lets garbage gather in the young generation, which it
  // grows as it sees fit (to 64 MB here) before a scavenge empties it: the heap in use rises by
  // that much whatever the listing keeps. What the listing makes the heap keep is what outlives
  // the young generation; the heap in use with the young generation's garbage is reported after it.
  report({
    name: 'heap growth listing 100,000 invites (kept past the young generation)',
    value: round(byRole.keptGrowth, 1),
    unit: 'MB',
    target: '≤ 50 MB',
    met: byRole.keptGrowth <= 50
  })
  report({
    name: 'heap in use listing 100,000 invites, young generation garbage included',
    value: round(byRole.heapGrowth),
    unit: 'MB',
    target: 'no target set',
    met: null
  })
  const all = await walk(undefined)
  report({
    name: 'list all 100,000 invites (pages of 500)',
    value: round(all.took),
    unit: 'ms',
    target: '≤ 1000 ms',
    met: all.took <= 1000
  })

  // Every format from the same 100,000 signed invites; each file is then imported (benchImportFormats).
  for (const format of EXPORT_FORMATS) {
    const target = join(work, `invites-${format}.${EXPORT_FORMAT_INFO[format].extension}`)
    const request: ExportRequest = {
      scope: { kind: 'roleInvites', roleId: role.id },
      format,
      ...(format === 'csv' ? { bom: true } : {}),
      ...(format === 'ldif' ? { ldifBaseDn: 'dc=example,dc=org' } : {})
    }
    // As the export dialog does: a preview first, which starts the export worker.
    await previewExport(store, request)
    const samples: number[] = []
    let growth = 0
    for (let run = 0; run < 3; run++) {
      collect()
      const heapBefore = process.memoryUsage().heapUsed
      let peak = heapBefore
      // Where the export worker makes the file, all of its heap counts as growth.
      let workerPeak = 0
      const started = performance.now()
      const written = await exportToFile(store, request, target, {
        onProgress: () => {
          peak = Math.max(peak, process.memoryUsage().heapUsed)
        },
        onWorkerHeap: (bytes) => {
          workerPeak = Math.max(workerPeak, bytes)
        }
      })
      samples.push(performance.now() - started)
      growth = Math.max(growth, (peak - heapBefore + workerPeak) / 1024 / 1024)
      if (written.rows !== 100_000) throw new Error(`The ${format} export holds ${written.rows} rows, expected 100,000`)
    }
    const label = EXPORT_FORMAT_INFO[format].label
    report(latency(`export 100,000 invites as ${label}`, samples, { p99: 1000 }))
    report({
      name: `heap growth exporting 100,000 invites as ${label}`,
      value: round(growth),
      unit: 'MB',
      target: '≤ 50 MB',
      met: growth <= 50
    })
    exported.set(format, target)
  }

  // Invites never signed (seeded, or the cache dropped for another key): the first export signs them all.
  store.sqlite.prepare('UPDATE users SET invite_token_seal = NULL').run()
  const firstTook = await timeAsync(() =>
    exportToFile(store, { scope: { kind: 'roleInvites', roleId: role.id }, format: 'csv', bom: true }, join(work, 'unsigned.csv'))
  )
  report({
    name: 'first export of 100,000 unsigned invites (signs them)',
    value: round(firstTook),
    unit: 'ms',
    target: 'no target set',
    met: null
  })
  dropStore(store)
}

/** A directory with Support and Editors and 50,000 invited Editors, as the import starts from. */
async function importStart(): Promise<{ store: Store; existing: string[]; supportId: string }> {
  const store = await freshStore()
  const supportId = createRole(store, createRoleInput.parse({ name: 'Support' })).id
  const editors = createRole(store, createRoleInput.parse({ name: 'Editors' }))
  await inviteUsers(store, inviteUsersInput.parse({ text: pasteOf(50_000, 'import').text, roleId: editors.id }))
  const existing = store.sqlite.prepare('SELECT email FROM users ORDER BY rowid').pluck().all() as string[] // one column
  return { store, existing, supportId }
}

async function benchImport(): Promise<void> {
  note('Import 100,000 CSV rows: preview, then apply, and the raw floor…')
  const { store, existing } = await importStart()
  const file = importFileOf(100_000, existing)
  const options = importOptions.parse({ existing: 'update', newUsersAs: 'invited' })

  const previewTook = time(() => {
    const preview = previewImport(store, file, options)
    if (preview.counts.new !== 50_000 || preview.counts.update !== 50_000) {
      throw new Error(`Unexpected preview ${JSON.stringify(preview.counts)}`)
    }
  })
  report({ name: 'import 100,000 rows: preview', value: round(previewTook), unit: 'ms', target: 'no target set', met: null })
  const applyTook = time(() => {
    const result = applyImport(store, file, options)
    if (result.counts.new !== 50_000) throw new Error(`Unexpected import ${JSON.stringify(result.counts)}`)
  })
  dropStore(store)

  // The floor: the same 50,000 new rows by a prepared multi-row INSERT and the same 50,000
  // updates by a prepared UPDATE, in one transaction, into the same table with its indexes and
  // triggers (so the search index rows are written too); everything computed beforehand.
  const start = await importStart()
  const now = new Date().toISOString()
  const expires = new Date(Date.now() + 7 * 86_400_000).toISOString()
  const nonces = newInviteNonces(50_000)
  const update = start.store.sqlite.prepare(
    'UPDATE users SET first_name = ?, last_name = ?, role_id = ?, indexed_role_id = ?, status = ?, updated_at = ?, last_changed_by = ? WHERE email_key = ?'
  )
  const newRows = Array.from({ length: 50_000 }, (_, index) => {
    const email = `imported.${index}@example.org`
    const status = index % 3 === 0 ? 'active' : 'invited'
    const invited = status === 'invited'
    return [
      randomUUID(),
      email,
      email,
      'Imported',
      `Person ${index}`,
      status,
      start.supportId,
      invited ? now : null,
      invited ? expires : null,
      invited ? (nonces[index] ?? null) : null,
      now,
      now,
      'bench'
    ]
  })
  const updates = start.existing.map((email, index) => {
    const row = 50_000 + index
    return [
      'Imported',
      `Person ${row}`,
      start.supportId,
      start.supportId,
      row % 3 === 0 ? 'active' : 'invited',
      now,
      'bench',
      email.toLowerCase()
    ]
  })
  const floor = rawInsertFloor(
    start.store,
    [
      'id',
      'email',
      'email_key',
      'first_name',
      'last_name',
      'status',
      'role_id',
      'invited_at',
      'invite_expires_at',
      'invite_nonce',
      'created_at',
      'updated_at',
      'last_changed_by'
    ],
    newRows,
    () => {
      for (const values of updates) update.run(values)
    }
  )
  dropStore(start.store)
  const ratio = applyTook / floor
  report({
    name: 'import 100,000 rows: apply (50,000 new, 50,000 updated)',
    value: round(applyTook),
    unit: 'ms',
    floor: round(floor),
    ratio: round(ratio, 2),
    target: '≤ 3 × floor',
    met: ratio <= 3
  })
}

/**
 * A raw floor: `rows` (values in `columns`' order, computed beforehand) into `users` by a prepared
 * INSERT of 100 rows at a time, then `then`, in one transaction; the table's indexes and triggers
 * (the search index's rows) are written as for any insert. Milliseconds.
 */
function rawInsertFloor(store: Store, columns: readonly string[], rows: readonly unknown[][], then: () => void = () => undefined): number {
  const BATCH = 100
  // The role goes into the role-ordered indexes' copy of it too, as every insert of the app's does.
  const roleAt = columns.indexOf('role_id')
  const written = roleAt < 0 ? columns : [...columns, 'indexed_role_id']
  const values = roleAt < 0 ? rows : rows.map((values) => [...values, values[roleAt]])
  const row = `(${written.map(() => '?').join(', ')})`
  const insert = store.sqlite.prepare(
    `INSERT INTO users (${written.join(', ')}) VALUES ${Array.from({ length: BATCH }, () => row).join(', ')}`
  )
  const batches = Array.from({ length: Math.ceil(values.length / BATCH) }, (_, index) => values.slice(index * BATCH, (index + 1) * BATCH))
  if (batches.some((batch) => batch.length !== BATCH)) throw new Error(`The floor takes whole batches of ${BATCH} rows`)
  return time(() =>
    store.sqlite.transaction(() => {
      for (const batch of batches) insert.run(batch.flat())
      then()
    })()
  )
}

/** The files `benchInviteExport` wrote, by format: 100,000 invited users of one role. */
const exported = new Map<ExportFormat, string>()

/**
 * Each format's export of 100,000 invites, previewed and then imported into an empty database,
 * beside a raw floor: the same 100,000 users by a prepared multi-row INSERT in one transaction
 * (with the search index's rows, which its triggers write), everything computed beforehand.
 */
async function benchImportFormats(): Promise<void> {
  note('Import each format’s file of 100,000 users into an empty database, and the raw floor…')
  const floorStore = await freshStore()
  const roleId = createRole(floorStore, createRoleInput.parse({ name: 'Editors' })).id
  const now = new Date().toISOString()
  const expires = new Date(Date.now() + 7 * 86_400_000).toISOString()
  const nonces = newInviteNonces(100_000)
  const rows = Array.from({ length: 100_000 }, (_, index) => {
    const email = `export.${index}@example.org`
    return [randomUUID(), email, email, 'invited', roleId, now, expires, nonces[index] ?? null, now, now, 'bench']
  })
  const floor = rawInsertFloor(
    floorStore,
    [
      'id',
      'email',
      'email_key',
      'status',
      'role_id',
      'invited_at',
      'invite_expires_at',
      'invite_nonce',
      'created_at',
      'updated_at',
      'last_changed_by'
    ],
    rows
  )
  dropStore(floorStore)

  const options = importOptions.parse({ existing: 'update', newUsersAs: 'invited' })
  for (const [format, file] of exported) {
    const label = EXPORT_FORMAT_INFO[format].label
    const text = readFileSync(file, 'utf8')
    const store = await freshStore()
    // Rolekeeper's own lists name the role, which must exist; the hand-off files create theirs (or match it by name).
    createRole(store, createRoleInput.parse({ name: 'Editors' }))
    const previewTook = time(() => {
      const preview = previewImport(store, text, options)
      if (preview.counts.new !== 100_000) throw new Error(`The ${label} preview found ${JSON.stringify(preview.counts)}`)
    })
    report({
      name: `import 100,000 users from ${label}: preview`,
      value: round(previewTook),
      unit: 'ms',
      target: 'no target set',
      met: null
    })
    const applyTook = time(() => {
      const result = applyImport(store, text, options)
      if (result.counts.new !== 100_000) throw new Error(`The ${label} import wrote ${JSON.stringify(result.counts)}`)
    })
    dropStore(store)
    const ratio = applyTook / floor
    report({
      name: `import 100,000 users from ${label}: apply`,
      value: round(applyTook),
      unit: 'ms',
      floor: round(floor),
      ratio: round(ratio, 2),
      target: '≤ 3 × floor',
      met: ratio <= 3
    })
  }
}

function benchRendererSize(): void {
  const assets = join(ROOT, 'out', 'renderer', 'assets')
  if (!existsSync(assets)) {
    note('Building the renderer to measure it…')
    const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
    if (built.status !== 0 || !existsSync(assets)) {
      note('  the renderer could not be built; its size is not measured')
      return
    }
  }
  let bytes = 0
  for (const name of readdirSync(assets)) {
    const file = join(assets, name)
    if (name.endsWith('.js') && statSync(file).isFile()) bytes += gzipSync(readFileSync(file)).length
  }
  const kb = bytes / 1024
  report({ name: 'renderer JavaScript shipped (gzip)', value: round(kb), unit: 'KB', target: '≤ 200 KB', met: kb <= 200 })
}

function printTable(): void {
  const header = ['figure', 'value', 'p99', 'n', 'target', 'floor', 'ratio', '']
  const rows = figures.map((figure) => [
    figure.name,
    `${format(figure.value)} ${figure.unit}`,
    figure.p99 === undefined ? '' : `${format(figure.p99)} ${figure.unit}`,
    figure.n === undefined ? '' : String(figure.n),
    figure.target,
    figure.floor === undefined ? '' : `${format(figure.floor)} ${figure.unit}`,
    figure.ratio === undefined ? '' : `${figure.ratio.toFixed(2)}×`,
    figure.met === null ? '' : figure.met ? 'ok' : 'MISSED'
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  console.log('')
  console.log(line(header))
  console.log(widths.map((width) => '─'.repeat(width)).join('  '))
  for (const row of rows) console.log(line(row))
}

/**
 * Build the app first: imports and exports run in the workers built beside the main bundle, so a
 * build older than the sources would measure older code (or, with none, the work in line).
 */
function buildApp(): void {
  note('Building the app…')
  const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error('The app could not be built')
}

async function main(): Promise<void> {
  const started = performance.now()
  buildApp()
  try {
    if (only.has('invites')) await benchInvites()

    const tiers = !only.has('tiers') ? [] : flags.quick ? [100_000] : [100_000, 1_000_000]
    for (const users of tiers) {
      const tier = users.toLocaleString('en-US')
      note(`Seeding ${tier} users…`)
      const { store, editorsId, adminId } = await seededStore(users, users / 5)
      benchReads(store, editorsId, tier)
      benchChangeSet(store, editorsId, adminId, tier)
      if (users === tiers.at(-1)) {
        await benchReadsWhileWorking(store, editorsId, tier)
        // Closes the store: the host opens the file in a process of its own.
        await benchBrowserAndMemory(store, editorsId, tier)
      } else {
        dropStore(store)
      }
    }

    if (only.has('handoff')) {
      await benchInviteExport()
      await benchImportFormats()
    }
    if (only.has('import')) await benchImport()
    if (only.has('renderer')) benchRendererSize()
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  if (!flags.json) printTable()
  const missed = figures.filter((figure) => figure.met === false).length
  note(
    `\nBenchmark took ${((performance.now() - started) / 1000).toFixed(0)} s${flags.quick ? ' (quick: no 1,000,000-user tier)' : ''}; ${missed === 0 ? 'every figure within its target' : `${missed} figure${missed === 1 ? '' : 's'} above target`}`
  )
}

main().catch((error: unknown) => {
  console.error(error)
  rmSync(work, { recursive: true, force: true })
  process.exit(1)
})
