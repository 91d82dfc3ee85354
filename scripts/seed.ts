/**
 * Fill a database with synthetic roles and users, for the benchmark, browser tests and trying
 * the app with a realistic directory.
 *
 *   npm run seed -- --db FILE --users N [--roles K] [--members-in-first-role M]
 *
 * Roles: "Administrator" (admin access, a handful of members) and K - 1 ordinary roles
 * ("Editors", "Support", …). With `--members-in-first-role M`, "Editors" gets exactly M members.
 * Users: unique addresses and names, mostly active, some invited (with live or expired invites),
 * some draft, suspended or archived, about one in twelve without a role. Seeded invites are not
 * signed here (a million users would wait a minute for their tokens): each is signed, and kept,
 * the first time it is exported or its link is shown.
 */
import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type BetterSqlite3 from 'better-sqlite3'
import { newInviteNonces } from '../src-main/core/invite-tokens'
import type { UserStatus } from '../src-main/core/model'
import type { Store } from '../src-main/core/store'
import { openStoreWithKeyFiles } from '../src-main/host/keys'

export interface SeedOptions {
  users: number
  /** Roles including "Administrator"; at least 1. Default 8. */
  roles?: number
  /** Members of "Editors" (the first role after Administrator); the rest are spread out. */
  membersInFirstRole?: number
  /** Same seed, same names, addresses and distribution. Default 1. */
  randomSeed?: number
  now?: Date
  onProgress?: (done: number, total: number, phase: string) => void
}

export interface SeededRole {
  id: string
  name: string
  adminAccess: boolean
  members: number
}

export interface SeedSummary {
  roles: SeededRole[]
  /** Users without a role. */
  publicMembers: number
  byStatus: Record<UserStatus, number>
  users: number
  /** Active members of Administrator (never 0 when there is at least one user). */
  activeAdmins: number
}

const ROLE_NAMES = [
  'Editors',
  'Support',
  'Sales',
  'Marketing',
  'Finance',
  'Engineering',
  'Operations',
  'Legal',
  'People',
  'Design',
  'Research',
  'Contractors',
  'Partners',
  'Auditors',
  'Interns',
  'Facilities'
]
const ROLE_ICONS = ['edit', 'support_agent', 'storefront', 'campaign', 'payments', 'code', 'settings', 'gavel']

export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Amara',
  'Ana',
  'Andrei',
  'Aisha',
  'Ben',
  'Björn',
  'Carla',
  'Chen',
  'Chloé',
  'Daniel',
  'Dmitri',
  'Elena',
  'Emma',
  'Farah',
  'Felix',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Isaac',
  'Jamal',
  'Jana',
  'José',
  'Julia',
  'Kai',
  'Karin',
  'Kenji',
  'Lara',
  'Leon',
  'Lucía',
  'Maya',
  'Malik',
  'Marta',
  'Mateo',
  'Mei',
  'Mina',
  'Nadia',
  'Noah',
  'Nora',
  'Olga',
  'Omar',
  'Paula',
  'Pedro',
  'Priya',
  'Rafael',
  'Rosa',
  'Sami',
  'Sara',
  'Sofia',
  'Søren',
  'Tariq',
  'Tomás',
  'Uma',
  'Victor',
  'Wei',
  'Yara',
  'Yusuf',
  'Zoë'
]
export const LAST_NAMES = [
  'Abbott',
  'Adeyemi',
  'Alvarez',
  'Andersen',
  'Baker',
  'Becker',
  'Bianchi',
  'Brown',
  'Castro',
  'Chen',
  'Costa',
  'Dubois',
  'Eriksson',
  'Fischer',
  'García',
  'Gomez',
  'Hansen',
  'Hoffmann',
  'Ibrahim',
  'Ito',
  'Jensen',
  'Johnson',
  'Kaur',
  'Kim',
  'Kowalski',
  'Lambert',
  'Larsen',
  'Lee',
  'Lopez',
  'Martin',
  'Müller',
  'Nakamura',
  'Nguyen',
  'Novak',
  'Okafor',
  'Olsen',
  'Patel',
  'Perez',
  'Petrov',
  'Quinn',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Singh',
  'Smith',
  'Suzuki',
  'Tanaka',
  'Taylor',
  'Thompson',
  'Virtanen',
  'Wagner',
  'Walker',
  'Wang',
  'Weber',
  'Williams',
  'Wilson',
  'Yamamoto',
  'Young',
  'Zhang'
]
export const DOMAINS = ['example.com', 'example.org', 'example.net', 'northwind.test', 'contoso.test', 'acme.test']
const TITLES = ['Editor', 'Support agent', 'Account manager', 'Engineer', 'Analyst', 'Designer', null, null]
const LOCATIONS = ['Berlin', 'Lisbon', 'Nairobi', 'Osaka', 'Toronto', 'Melbourne', null, null, null]

/** Ordinary statuses by weight; invited users get a nonce and an expiry. */
const STATUS_WEIGHTS: ReadonlyArray<readonly [UserStatus, number]> = [
  ['active', 0.8],
  ['invited', 0.1],
  ['suspended', 0.04],
  ['draft', 0.03],
  ['archived', 0.03]
]
const PUBLIC_SHARE = 1 / 12
const DAY = 86_400_000
const BATCH = 20_000

/** mulberry32: small, fast and good enough to make a reproducible directory. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const ascii = (name: string): string =>
  name.normalize('NFD').replace(/\p{M}/gu, '').replace('ø', 'o').replace('ß', 'ss').toLowerCase()

function sqliteOf(target: Store | BetterSqlite3.Database): BetterSqlite3.Database {
  return 'sqlite' in target ? target.sqlite : target
}

interface SchemaObject {
  type: 'index' | 'trigger'
  name: string
  sql: string
}

/**
 * Seed `users` users and `roles` roles into an open, migrated database, in one transaction.
 * The search index and member-count triggers are set aside during the bulk insert and the index
 * and counts rebuilt from the rows afterwards, which is many times faster than maintaining them
 * row by row and ends in exactly the same state.
 */
export function seed(target: Store | BetterSqlite3.Database, options: SeedOptions): SeedSummary {
  const sqlite = sqliteOf(target)
  const total = Math.max(0, Math.floor(options.users))
  const roleCount = Math.max(1, Math.floor(options.roles ?? 8))
  const next = random(options.randomSeed ?? 1)
  const now = options.now ?? new Date()
  const nowIso = now.toISOString()
  const progress = options.onProgress ?? (() => {})

  const roles: SeededRole[] = [{ id: randomUUID(), name: 'Administrator', adminAccess: true, members: 0 }]
  for (let index = 1; index < roleCount; index++) {
    const base = ROLE_NAMES[(index - 1) % ROLE_NAMES.length] ?? 'Team'
    const round = Math.floor((index - 1) / ROLE_NAMES.length)
    roles.push({ id: randomUUID(), name: round === 0 ? base : `${base} ${round + 1}`, adminAccess: false, members: 0 })
  }
  const existingNames = new Set(
    sqlite
      .prepare('SELECT name_key FROM roles')
      .pluck()
      .all()
      .map((name) => String(name))
  )
  for (const role of roles) {
    let name = role.name
    for (let suffix = 2; existingNames.has(name.toLowerCase()); suffix++) name = `${role.name} (${suffix})`
    role.name = name
    existingNames.add(name.toLowerCase())
  }

  const admins = Math.min(total, Math.max(1, Math.min(12, Math.round(total / 1000))))
  const firstRole = roles[1]
  const firstRoleMembers = firstRole ? Math.min(total - admins, Math.max(0, options.membersInFirstRole ?? -1)) : 0
  const fixedFirstRole = firstRole !== undefined && options.membersInFirstRole !== undefined
  const otherRoles = roles.slice(fixedFirstRole ? 2 : 1)

  const byStatus: Record<UserStatus, number> = { draft: 0, invited: 0, active: 0, suspended: 0, archived: 0 }
  let publicMembers = 0
  let activeAdmins = 0

  const pickStatus = (): UserStatus => {
    let roll = next()
    for (const [status, weight] of STATUS_WEIGHTS) {
      roll -= weight
      if (roll < 0) return status
    }
    return 'active'
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T

  const insertRole = sqlite.prepare(
    `INSERT INTO roles (id, name, name_key, icon, description, admin_access, app_access, ip_access, enforce_tfa, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 1, '[]', 0, ?, ?)`
  )
  const insertUser = sqlite.prepare(
    `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, indexed_role_id, title, location,
       tags, invited_at, invite_expires_at, invite_nonce, created_at, updated_at, last_changed_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed')`
  )

  const setAside = sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_schema
       WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL`
    )
    .all() as SchemaObject[] // the columns selected, as sqlite_schema defines them

  const run = sqlite.transaction(() => {
    for (const object of setAside) sqlite.exec(`DROP ${object.type.toUpperCase()} "${object.name}"`)

    roles.forEach((role, index) => {
      const description = role.adminAccess
        ? 'Full access to every setting, role and user.'
        : `People who work in ${role.name.toLowerCase()}.`
      insertRole.run(
        role.id,
        role.name,
        role.name.toLowerCase(),
        role.adminAccess ? 'verified_user' : (ROLE_ICONS[index % ROLE_ICONS.length] ?? 'group'),
        description,
        role.adminAccess ? 1 : 0,
        nowIso,
        nowIso
      )
    })

    let nonces: string[] = []
    for (let index = 0; index < total; index++) {
      let role: SeededRole | null
      let status: UserStatus
      if (index < admins) {
        role = roles[0] ?? null
        // The first administrator is always active: the directory must have someone in charge.
        status = index === 0 ? 'active' : pickStatus()
      } else if (fixedFirstRole && index < admins + firstRoleMembers) {
        role = firstRole
        status = pickStatus()
      } else if (otherRoles.length === 0 || next() < PUBLIC_SHARE) {
        role = null
        status = pickStatus()
      } else {
        // A skewed spread: the first roles are the big ones, as in most organisations.
        role = otherRoles[Math.floor(otherRoles.length * next() * next())] ?? null
        status = pickStatus()
      }

      const first = pick(FIRST_NAMES)
      const last = pick(LAST_NAMES)
      const unnamed = next() < 0.04
      const email = `${ascii(first)}.${ascii(last).replace(/[^a-z]/g, '')}.${index.toString(36)}@${pick(DOMAINS)}`
      const createdMs = now.getTime() - Math.floor(next() * 730 * DAY)
      const created = new Date(createdMs).toISOString()
      let invitedAt: string | null = null
      let expiresAt: string | null = null
      let nonce: string | null = null
      if (status === 'invited') {
        if (nonces.length === 0) nonces = newInviteNonces(10_000)
        nonce = nonces.pop() ?? null
        // One invite in five has expired unanswered.
        const invitedMs = next() < 0.2 ? now.getTime() - (8 + Math.floor(next() * 60)) * DAY : now.getTime() - Math.floor(next() * 6 * DAY)
        invitedAt = new Date(Math.max(invitedMs, createdMs)).toISOString()
        expiresAt = new Date(Math.max(invitedMs, createdMs) + 7 * DAY).toISOString()
      }
      insertUser.run(
        randomUUID(),
        email,
        email,
        unnamed ? null : first,
        unnamed ? null : last,
        status,
        role?.id ?? null,
        role?.id ?? null,
        pick(TITLES),
        pick(LOCATIONS),
        next() < 0.1 ? '["contractor"]' : '[]',
        invitedAt,
        expiresAt,
        nonce,
        created,
        created
      )
      byStatus[status]++
      if (role) role.members++
      else publicMembers++
      if (role?.adminAccess && status === 'active') activeAdmins++
      if ((index + 1) % BATCH === 0) progress(index + 1, total, 'users')
    }
    progress(total, total, 'users')

    progress(0, 1, 'indexes')
    for (const object of setAside) if (object.type === 'index') sqlite.exec(object.sql)
    progress(0, 1, 'search index')
    sqlite.exec(`INSERT INTO users_search (users_search) VALUES ('rebuild')`)
    progress(0, 1, 'member counts')
    sqlite.exec(`
      DELETE FROM user_counts;
      INSERT INTO user_counts (role_key, status, n)
        SELECT coalesce(role_id, ''), status, count(*) FROM users GROUP BY 1, 2;
    `)
    for (const object of setAside) if (object.type === 'trigger') sqlite.exec(object.sql)
  })

  const pragmas = ['cache_size', 'synchronous', 'temp_store'].map((name) => [name, Number(sqlite.pragma(name, { simple: true }))] as const)
  const journal = String(sqlite.pragma('journal_mode', { simple: true }))
  // A bulk load writes each page once into the file rather than once into the WAL and again at
  // checkpoint; durability returns with the journal mode when it is done.
  if (journal === 'wal') sqlite.pragma('journal_mode = DELETE')
  sqlite.pragma('cache_size = -524288')
  sqlite.pragma('synchronous = OFF')
  sqlite.pragma('temp_store = MEMORY')
  try {
    run.immediate()
  } finally {
    for (const [name, value] of pragmas) sqlite.pragma(`${name} = ${value}`)
    if (journal === 'wal') sqlite.pragma('journal_mode = WAL')
  }

  return { roles, publicMembers, byStatus, users: total, activeAdmins }
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      users: { type: 'string' },
      roles: { type: 'string' },
      'members-in-first-role': { type: 'string' },
      seed: { type: 'string' }
    }
  })
  const count = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value.replaceAll('_', ''))
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${value}`)
    return n
  }
  const users = count('users', values.users)
  if (!values.db || users === undefined) {
    console.error('Usage: npm run seed -- --db FILE --users N [--roles K] [--members-in-first-role M] [--seed S]')
    process.exit(2)
  }
  const file = resolve(values.db)
  const store = await openStoreWithKeyFiles(file, { actor: 'seed' })
  const started = performance.now()
  try {
    const roles = count('roles', values.roles)
    const membersInFirstRole = count('members-in-first-role', values['members-in-first-role'])
    const randomSeed = count('seed', values.seed)
    const summary = seed(store, {
      users,
      ...(roles === undefined ? {} : { roles }),
      ...(membersInFirstRole === undefined ? {} : { membersInFirstRole }),
      ...(randomSeed === undefined ? {} : { randomSeed }),
      onProgress(done, total, phase) {
        const line = phase === 'users' ? `users ${formatCount(done)} / ${formatCount(total)}` : `${phase}…`
        process.stderr.write(`\r\x1b[2KSeeding: ${line}`)
      }
    })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    process.stderr.write(`\r\x1b[2K`)
    console.log(`Seeded ${formatCount(summary.users)} users and ${summary.roles.length} roles into ${file} in ${seconds} s`)
    for (const role of summary.roles) {
      console.log(`  ${role.name.padEnd(24)} ${formatCount(role.members).padStart(10)}  ${role.id}${role.adminAccess ? '  (admin)' : ''}`)
    }
    console.log(`  ${'Public (no role)'.padEnd(24)} ${formatCount(summary.publicMembers).padStart(10)}`)
    console.log(
      `  statuses: ${Object.entries(summary.byStatus)
        .map(([status, n]) => `${status} ${formatCount(n)}`)
        .join(', ')}`
    )
  } finally {
    store.close()
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
if (invokedDirectly) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}
