/**
 * `npm run bench [-- --json] [-- --quick]`: the figures of PRODUCT.md §6, measured on fresh
 * temporary databases with the real migrations and the real core services.
 *
 * Prints a table with each figure beside its target; with `--json`, one JSON object per line
 * (`{"name","value","unit","floor"?,"ratio"?}`) and progress on stderr. `--quick` leaves out the
 * 1,000,000-user tier, whose seeding dominates the run time.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { gzipSync } from 'node:zlib'
import { saveRoleChanges } from '../src-main/core/changeset'
import { exportToFile } from '../src-main/core/export'
import { applyImport, previewImport } from '../src-main/core/import'
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
import { seed } from './seed'

const ROOT = resolve(import.meta.dirname, '..')

interface Figure {
  name: string
  value: number
  unit: 'ms' | 'MB' | 'KB' | 'x'
  floor?: number
  ratio?: number
  /** Shown in the table: the target in words, and whether the figure meets it. */
  target: string
  met: boolean | null
}

const { values: flags } = parseArgs({ options: { json: { type: 'boolean' }, quick: { type: 'boolean' } } })
const figures: Figure[] = []

function note(message: string): void {
  process.stderr.write(`${message}\n`)
}

function report(figure: Figure): void {
  figures.push(figure)
  if (flags.json) {
    const { name, value, unit, floor, ratio } = figure
    console.log(JSON.stringify({ name, value, unit, ...(floor === undefined ? {} : { floor }), ...(ratio === undefined ? {} : { ratio }) }))
  } else {
    note(`  ${figure.name}: ${format(figure.value)} ${figure.unit}`)
  }
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits))
const format = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2))

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
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

async function freshStore(): Promise<Store> {
  return openStore({ file: join(work, `bench-${++databases}.db`), inviteKey: randomBytes(32), actor: 'bench' })
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
    const took = time(() => {
      const batch = inviteUsers(store, inviteUsersInput.parse({ text, roleId: role.id }))
      if (batch.counts.invited !== COUNT) throw new Error(`Expected ${COUNT} invited, got ${JSON.stringify(batch.counts)}`)
    })
    dropStore(store)

    // The floor: the same rows into the same table (same indexes and triggers), prepared
    // statement, one transaction; everything computed beforehand (ids, nonces, keys, times).
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
      `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, invited_at, invite_expires_at,
         invite_nonce, created_at, updated_at, last_changed_by) VALUES ` +
        Array.from({ length: BATCH }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
    )
    const batches = Array.from({ length: Math.ceil(rows.length / BATCH) }, (_, index) =>
      rows.slice(index * BATCH, (index + 1) * BATCH).flat()
    )
    if (rows.length % BATCH !== 0) throw new Error('The floor expects whole batches')
    const floorTook = time(() => floorStore.sqlite.transaction(() => batches.forEach((batch) => insert.run(batch)))())
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
    floor: round(floor),
    ratio: round(ratio, 2),
    target: '≤ 1.5 × floor',
    met: ratio <= 1.5
  })
}

/** A seeded database of `users` users whose "Editors" role has `members` members. */
async function seededStore(users: number, members: number): Promise<{ store: Store; editorsId: string; adminId: string }> {
  const store = await freshStore()
  const started = performance.now()
  const summary = seed(store, {
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
  const editors = summary.roles.find((role) => role.name === 'Editors')
  const admin = summary.roles.find((role) => role.adminAccess)
  if (!editors || !admin) throw new Error('The seed made no Editors or Administrator role')
  return { store, editorsId: editors.id, adminId: admin.id }
}

function benchChangeSet(store: Store, roleId: string, adminId: string): void {
  note('Save a change set adding 10,000 and removing 10,000 members…')
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
  let inRole = members
  let outside = others
  for (let run = 0; run < 4; run++) {
    const input = saveRoleChangesInput.parse({ roleId, add: outside, remove: inRole })
    const took = time(() => {
      const result = saveRoleChanges(store, input)
      if (result.added !== 10_000 || result.removed !== 10_000) throw new Error(`Unexpected result ${result.added}/${result.removed}`)
    })
    if (run > 0) samples.push(took)
    // The next run undoes this one: the same size of change in the other direction.
    ;[inRole, outside] = [outside, inRole]
  }
  const value = median(samples)
  report({ name: 'change set +10,000 / −10,000 members', value: round(value), unit: 'ms', target: '≤ 300 ms', met: value <= 300 })
}

const SEARCH_TERMS = ['garc', 'novak', 'mar', 'sen.', 'tanak', 'olga', 'ilva', 'yusuf', 'hopp', 'kim.']

function benchReads(store: Store, roleId: string, tier: string): void {
  note(`First page of a role's members and search keystrokes at ${tier} users…`)
  const firstPage = listUsersInput.parse({ filter: { roleId }, sort: { field: 'name', direction: 'asc' }, limit: 100 })
  listUsers(store, firstPage)
  const pageSamples = Array.from({ length: 9 }, () => time(() => listUsers(store, firstPage)))
  const page = median(pageSamples)
  report({ name: `first page of a role's members, ${tier} users`, value: round(page, 2), unit: 'ms', target: '≤ 30 ms', met: page <= 30 })

  const searchIn = (filter: { roleId?: string }): number => {
    const samples = SEARCH_TERMS.map((search) => {
      const input = listUsersInput.parse({ filter: { ...filter, search }, sort: { field: 'name', direction: 'asc' }, limit: 100 })
      return time(() => listUsers(store, input))
    })
    return median(samples)
  }
  searchIn({ roleId })
  const inRole = searchIn({ roleId })
  report({
    name: `search keystroke within a role, ${tier} users`,
    value: round(inRole, 2),
    unit: 'ms',
    target: '≤ 30 ms',
    met: inRole <= 30
  })
  const overall = searchIn({})
  report({
    name: `search keystroke over all users, ${tier} users`,
    value: round(overall, 2),
    unit: 'ms',
    target: '≤ 30 ms',
    met: overall <= 30
  })
}

async function benchInviteExport(): Promise<void> {
  note('Export-ready listing of 100,000 invites…')
  const store = await freshStore()
  const role = createRole(store, createRoleInput.parse({ name: 'Editors' }))
  for (let part = 0; part < 2; part++) {
    inviteUsers(store, inviteUsersInput.parse({ text: pasteOf(50_000, `export${part}`).text, roleId: role.id }))
  }

  const walk = (roleId: string | undefined): { took: number; rows: number; heapGrowth: number } => {
    collect()
    const heapBefore = process.memoryUsage().heapUsed
    let peak = heapBefore
    let rows = 0
    const took = time(() => {
      let after: string | undefined
      do {
        const page = listInvites(
          store,
          listInvitesInput.parse({ ...(roleId === undefined ? {} : { roleId }), limit: 500, ...(after === undefined ? {} : { after }) })
        )
        rows += page.rows.length
        after = page.nextCursor ?? undefined
        if (rows % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
      } while (after !== undefined)
    })
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    if (rows !== 100_000) throw new Error(`Listed ${rows} invites, expected 100,000`)
    return { took, rows, heapGrowth: (peak - heapBefore) / 1024 / 1024 }
  }
  walk(role.id)
  const byRole = walk(role.id)
  report({
    name: 'list 100,000 invites of a role (pages of 500)',
    value: round(byRole.took),
    unit: 'ms',
    target: '≤ 1000 ms',
    met: byRole.took <= 1000
  })
  report({
    name: 'heap growth listing 100,000 invites',
    value: round(byRole.heapGrowth),
    unit: 'MB',
    target: '≤ 50 MB',
    met: byRole.heapGrowth <= 50
  })
  const all = walk(undefined)
  report({
    name: 'list all 100,000 invites (pages of 500)',
    value: round(all.took),
    unit: 'ms',
    target: '≤ 1000 ms',
    met: all.took <= 1000
  })

  collect()
  const heapBefore = process.memoryUsage().heapUsed
  let peak = heapBefore
  const target = join(work, 'invites.csv')
  const started = performance.now()
  await exportToFile(store, { scope: { kind: 'roleInvites', roleId: role.id }, format: 'csv', bom: true }, target, {
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed)
    }
  })
  const took = performance.now() - started
  const growth = (peak - heapBefore) / 1024 / 1024
  const lines = readFileSync(target, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0).length
  if (lines !== 100_001) throw new Error(`The export has ${lines} lines, expected 100,001`)
  report({ name: 'export 100,000 invites to CSV', value: round(took), unit: 'ms', target: '≤ 1000 ms', met: took <= 1000 })
  report({ name: 'heap growth exporting 100,000 invites', value: round(growth), unit: 'MB', target: '≤ 50 MB', met: growth <= 50 })
  dropStore(store)
}

/** A CSV of `count` rows: the first half new addresses, the second half already users (updates). */
function importFileOf(count: number, existing: readonly string[]): string {
  const lines = ['email,first_name,last_name,role,status']
  for (let index = 0; index < count; index++) {
    const email = index < count / 2 ? `imported.${index}@example.org` : (existing[index - count / 2] ?? '')
    lines.push(`${email},Imported,Person ${index},Support,${index % 3 === 0 ? 'active' : ''}`)
  }
  return `${lines.join('\r\n')}\r\n`
}

async function benchImport(): Promise<void> {
  note('Import 100,000 CSV rows: preview, then apply…')
  const store = await freshStore()
  createRole(store, createRoleInput.parse({ name: 'Support' }))
  const editors = createRole(store, createRoleInput.parse({ name: 'Editors' }))
  inviteUsers(store, inviteUsersInput.parse({ text: pasteOf(50_000, 'import').text, roleId: editors.id }))
  const existing = store.sqlite.prepare('SELECT email FROM users ORDER BY rowid').pluck().all() as string[] // one column
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
  report({
    name: 'import 100,000 rows: apply (50,000 new, 50,000 updated)',
    value: round(applyTook),
    unit: 'ms',
    target: 'no target set',
    met: null
  })
  dropStore(store)
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
  const header = ['figure', 'value', 'target', 'floor', 'ratio', '']
  const rows = figures.map((figure) => [
    figure.name,
    `${format(figure.value)} ${figure.unit}`,
    figure.target,
    figure.floor === undefined ? '' : `${format(figure.floor)} ${figure.unit}`,
    figure.ratio === undefined ? '' : `${figure.ratio.toFixed(2)}×`,
    figure.met === null ? '' : figure.met ? 'ok' : 'MISSED'
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 || column === 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  console.log('')
  console.log(line(header))
  console.log(widths.map((width) => '─'.repeat(width)).join('  '))
  for (const row of rows) console.log(line(row))
}

async function main(): Promise<void> {
  const started = performance.now()
  try {
    await benchInvites()

    const tiers = flags.quick ? [100_000] : [100_000, 1_000_000]
    for (const users of tiers) {
      const tier = users.toLocaleString('en-US')
      note(`Seeding ${tier} users…`)
      const { store, editorsId, adminId } = await seededStore(users, Math.min(100_000, users / 5))
      benchReads(store, editorsId, tier)
      if (users === 100_000) benchChangeSet(store, editorsId, adminId)
      dropStore(store)
    }

    await benchInviteExport()
    await benchImport()
    benchRendererSize()
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  if (!flags.json) printTable()
  note(`\nBenchmark took ${((performance.now() - started) / 1000).toFixed(0)} s${flags.quick ? ' (quick: no 1,000,000-user tier)' : ''}`)
}

main().catch((error: unknown) => {
  console.error(error)
  rmSync(work, { recursive: true, force: true })
  process.exit(1)
})
