/**
 * `npm run test:interop`: the Directus hand-off file against a real Directus 12.4.0.
 *
 * The unit tests can only check our files against what we believe Directus accepts; this run asks
 * Directus itself. It installs `directus@12.4.0` once into a cache folder outside the checkout
 * (about 6 minutes and 700 MB; later runs reuse it), then re-executes itself inside a network
 * namespace that has nothing but loopback (`unshare --net`, as root), because Directus reaches
 * for the internet (telemetry, marketplace) and this test must talk to 127.0.0.1 alone. There it
 * bootstraps Directus on SQLite in a temporary folder, imports the sample directory through
 * `POST /utils/import?mode=merge` (and a second one collection by collection through
 * `/utils/import/<collection>`), checks ids, roles and their policies, statuses and tags through
 * the REST API, accepts an invite with a Directus-format link made by `directusInviteLink` and
 * signs in with the new password. Finally it captures Directus's own exports into
 * `test/fixtures/directus/`, which the reader tests read. Each step prints one line; any failure
 * exits non-zero. Directus is stopped by the PID this script started it with.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { directusCollectionFile, directusFormat, directusUsersWriter, type DirectusCollection } from '../src-main/core/formats/directus'
import { directusInviteLink } from '../src-main/core/formats/directus-link'
import type { DirectoryRole, DirectoryUser, HandoffContext } from '../src-main/core/formats/handoff'
import { comparableSource, expectedSource, SAMPLE_ROLES, sampleContext, sampleUsers, writeInBatches } from '../test/helpers/handoff'

const VERSION = '12.4.0'
const HOST = '127.0.0.1'
const PORT = 8055
const BASE = `http://${HOST}:${PORT}`
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..')
const fixtureDir = join(repoRoot, 'test', 'fixtures', 'directus')
const cacheRoot =
  process.env['ROLEKEEPER_INTEROP_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'rolekeeper', 'interop')
const installDir = join(cacheRoot, `directus-${VERSION}`)
const marker = join(installDir, 'rolekeeper-installed.json')

// ---------------------------------------------------------------------------------------------
// Reporting

let failed = false

function report(ok: boolean, name: string, detail = ''): void {
  process.stdout.write(`${ok ? '  ok  ' : ' FAIL '} ${name}${detail ? ` — ${detail}` : ''}\n`)
  if (!ok) failed = true
}

class StepFailure extends Error {}

async function step<T>(name: string, run: () => Promise<T> | T, detail?: (value: T) => string): Promise<T> {
  try {
    const value = await run()
    report(true, name, detail?.(value) ?? '')
    return value
  } catch (error) {
    report(false, name, error instanceof Error ? error.message : String(error))
    throw new StepFailure(name)
  }
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual, null, 1)
  const b = JSON.stringify(expected, null, 1)
  if (a !== b) throw new Error(`${what} differ:\n--- expected\n${b}\n--- actual\n${a}`)
}

// ---------------------------------------------------------------------------------------------
// Outside the namespace: install once, then run the rest with loopback alone

function ensureInstalled(): string {
  if (existsSync(marker)) return `reused ${installDir.replace(homedir(), '~')}`
  mkdirSync(installDir, { recursive: true })
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'rolekeeper-interop-directus', private: true }) + '\n')
  process.stdout.write(`       installing directus@${VERSION} into ${installDir.replace(homedir(), '~')} (about 6 minutes, 700 MB)…\n`)
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `directus@${VERSION}`], {
    cwd: installDir,
    stdio: ['ignore', 'inherit', 'inherit']
  })
  if (npm.status !== 0) throw new Error(`npm install exited with ${npm.status ?? npm.signal}`)
  const installed = JSON.parse(readFileSync(join(installDir, 'node_modules', 'directus', 'package.json'), 'utf8')) as { version: string }
  if (installed.version !== VERSION) throw new Error(`npm installed directus ${installed.version}, not ${VERSION}`)
  writeFileSync(marker, JSON.stringify({ version: VERSION, installedAt: new Date().toISOString() }) + '\n')
  return 'installed'
}

/**
 * The Node that runs Directus: one that loads the native modules npm built for it (isolated-vm
 * is compiled for the Node version that ran the install, which may not be the one running us).
 */
function directusNode(): string {
  const which = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout.split('\n')
  const candidates = [...new Set([process.execPath, ...which, '/usr/bin/node', '/usr/local/bin/node'].filter(Boolean))]
  const probe = "require('isolated-vm'); require('sqlite3'); require('argon2')"
  const tried: string[] = []
  for (const node of candidates) {
    if (!existsSync(node)) continue
    const run = spawnSync(node, ['-e', probe], { cwd: installDir, encoding: 'utf8' })
    if (run.status === 0) return node
    tried.push(`${node}: ${run.stderr.split('\n').find((line) => line.includes('Error')) ?? `exit ${run.status}`}`)
  }
  throw new Error(`no Node here loads Directus's native modules (isolated-vm, sqlite3, argon2):\n${tried.join('\n')}`)
}

async function outside(): Promise<number> {
  process.stdout.write(`Directus ${VERSION} interop\n`)
  try {
    await step('Directus installed', ensureInstalled)
    const node = await step('a Node that loads Directus’s native modules', directusNode, (path) => {
      const version = spawnSync(path, ['-v'], { encoding: 'utf8' }).stdout.trim()
      return `${path} ${version}`
    })
    process.env['ROLEKEEPER_DIRECTUS_NODE'] = node
    await step('running as root (needed for unshare --net)', () => {
      if (process.getuid?.() !== 0) throw new Error('run as root: the test runs Directus in a network namespace of its own')
    })
  } catch {
    return 1
  }
  const self = spawnSync('unshare', ['--net', '--', process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), '--inside'], {
    stdio: 'inherit',
    env: process.env
  })
  return self.status ?? 1
}

// ---------------------------------------------------------------------------------------------
// Inside the namespace

interface Response {
  status: number
  text: string
  json: () => unknown
}

async function http(method: string, path: string, options: { token?: string; json?: unknown; file?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {}
  if (options.token) headers['authorization'] = `Bearer ${options.token}`
  let body: string | FormData | undefined
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.file !== undefined) {
    body = new FormData()
    body.append('file', new Blob([options.file], { type: 'application/json' }), 'import.json')
  }
  const response = await fetch(`${BASE}${path}`, { method, headers, body, signal: AbortSignal.timeout(60_000) })
  const text = await response.text()
  return { status: response.status, text, json: () => JSON.parse(text) as unknown }
}

function expectStatus(response: Response, expected: number[], what: string): void {
  if (!expected.includes(response.status)) throw new Error(`${what}: HTTP ${response.status} ${response.text.slice(0, 600)}`)
}

const dataOf = <T>(response: Response): T => (response.json() as { data: T }).data

async function waitForHealth(child: ChildProcess, log: string): Promise<string> {
  const deadline = Date.now() + 180_000
  let lastAnswer = 'nothing listening'
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`Directus exited with ${child.exitCode}; see its log:\n${readFileSync(log, 'utf8').slice(-2000)}`)
    try {
      const health = await http('GET', '/server/health')
      // 12.4 answers an anonymous health check with 403: listening, the details are for admins.
      if (health.status === 200 || health.status === 403) return `HTTP ${health.status}`
      lastAnswer = `HTTP ${health.status} ${health.text.slice(0, 400)}`
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 500))
  }
  throw new Error(`/server/health not ok within 3 minutes; last answer: ${lastAnswer}`)
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return done()
    const pid = child.pid
    const force = setTimeout(() => process.kill(pid, 'SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      done()
    })
    process.kill(pid, 'SIGTERM')
  })
}

interface RoleRow {
  id: string
  name: string
  icon: string
  description: string | null
  policies: {
    sort: number | null
    policy: { id: string; admin_access: boolean; app_access: boolean; ip_access: string[] | null; enforce_tfa: boolean }
  }[]
}

interface UserRow {
  id: string
  email: string
  first_name: string | null
  last_name: string | null
  status: string
  role: string | null
  title: string | null
  location: string | null
  description: string | null
  tags: string[] | null
}

async function checkRoles(token: string, roles: readonly DirectoryRole[]): Promise<string> {
  const ids = roles.map((role) => role.id).join(',')
  const fields =
    'id,name,icon,description,policies.sort,policies.policy.id,policies.policy.admin_access,policies.policy.app_access,policies.policy.ip_access,policies.policy.enforce_tfa'
  const response = await http('GET', `/roles?filter[id][_in]=${ids}&fields=${fields}&limit=-1`, { token })
  expectStatus(response, [200], 'GET /roles')
  const rows = dataOf<RoleRow[]>(response)
  const byId = new Map(rows.map((row) => [row.id, row]))
  const actual = roles.map((role) => {
    const row = byId.get(role.id)
    const policy = row?.policies[0]?.policy
    return {
      id: row?.id,
      name: row?.name,
      icon: row?.icon,
      description: row?.description,
      policies: row?.policies.length,
      policyId: policy?.id,
      adminAccess: policy?.admin_access,
      appAccess: policy?.app_access,
      ipAccess: policy?.ip_access ?? [],
      enforceTfa: policy?.enforce_tfa
    }
  })
  const expected = roles.map((role) => ({
    id: role.id,
    name: role.name,
    icon: role.icon,
    description: role.description,
    policies: 1,
    policyId: role.id,
    adminAccess: role.adminAccess,
    appAccess: role.appAccess,
    ipAccess: role.ipAccess,
    enforceTfa: role.enforceTfa
  }))
  expectEqual(actual, expected, 'roles and their policies')
  return `${roles.length} roles, each with its policy (admin ${roles.filter((r) => r.adminAccess).length}, no app access ${roles.filter((r) => !r.appAccess).length})`
}

async function checkUsers(token: string, users: readonly DirectoryUser[], roleIds: ReadonlySet<string>): Promise<string> {
  const ids = users.map((user) => user.id).join(',')
  const response = await http(
    'GET',
    `/users?filter[id][_in]=${ids}&fields=id,email,first_name,last_name,status,role,title,location,description,tags&limit=-1`,
    {
      token
    }
  )
  expectStatus(response, [200], 'GET /users')
  const byId = new Map(dataOf<UserRow[]>(response).map((row) => [row.id, row]))
  const actual = users.map((user) => {
    const row = byId.get(user.id)
    return row && { ...row, tags: row.tags ?? [] }
  })
  const expected = users.map((user) => ({
    id: user.id,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    status: user.status,
    role: user.roleId !== null && roleIds.has(user.roleId) ? user.roleId : null,
    title: user.title,
    location: user.location,
    description: user.description,
    tags: user.tags
  }))
  expectEqual(actual, expected, 'users')
  const statuses = [...new Set(users.map((user) => user.status))].join(', ')
  return `${users.length} users with their ids, roles, statuses (${statuses}), names, profile fields and tags`
}

async function inside(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'rolekeeper-directus-'))
  let directus: ChildProcess | null = null
  try {
    await step(
      'network namespace with loopback alone',
      () => {
        const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' })
        if (up.status !== 0) throw new Error(`ip link set lo up: ${up.stderr}`)
        const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
        const names = links.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(':')[1]?.trim())
        if (names.length !== 1 || names[0] !== 'lo') throw new Error(`interfaces here: ${names.join(', ')}`)
        return names
      },
      (names) => `interfaces: ${names.join(', ')}`
    )

    const secret = randomBytes(32).toString('base64url')
    const adminEmail = 'admin@example.org'
    const adminPassword = randomBytes(18).toString('base64url')
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'],
      HOME: work,
      NODE_ENV: 'production',
      DB_CLIENT: 'sqlite3',
      DB_FILENAME: join(work, 'directus.db'),
      SECRET: secret,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
      PUBLIC_URL: BASE,
      HOST,
      PORT: String(PORT),
      TELEMETRY: 'false',
      ACCEPT_TERMS: 'true',
      CACHE_ENABLED: 'false',
      RATE_LIMITER_ENABLED: 'false',
      WEBSOCKETS_ENABLED: 'false',
      STORAGE_LOCATIONS: 'local',
      STORAGE_LOCAL_ROOT: join(work, 'uploads'),
      EXTENSIONS_PATH: join(work, 'extensions'),
      LOG_LEVEL: 'warn',
      LOG_STYLE: 'raw'
    }
    const cli = join(installDir, 'node_modules', 'directus', 'cli.js')
    const node = process.env['ROLEKEEPER_DIRECTUS_NODE'] ?? process.execPath
    const log = join(work, 'directus.log')

    // Directus resolves extensions from the folder it runs in and wants its storage folders.
    writeFileSync(join(work, 'package.json'), '{ "name": "rolekeeper-interop-run", "private": true }\n')
    mkdirSync(join(work, 'uploads'))
    mkdirSync(join(work, 'extensions'))
    await step('bootstrap (SQLite in a temporary folder)', () => {
      const run = spawnSync(node, [cli, 'bootstrap'], { cwd: work, env, encoding: 'utf8', timeout: 300_000 })
      if (run.status !== 0) throw new Error(`exited with ${run.status ?? run.signal}: ${(run.stderr || run.stdout).slice(-2000)}`)
    })

    directus = spawn(node, [cli, 'start'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const logFile = createWriteStream(log)
    directus.stdout?.pipe(logFile)
    directus.stderr?.pipe(logFile)
    const started = directus
    await step(
      `start on ${BASE}`,
      () => waitForHealth(started, log),
      (answer) => `pid ${started.pid}, /server/health answers ${answer}`
    )

    const token = await step('sign in as the administrator', async () => {
      const login = await http('POST', '/auth/login', { json: { email: adminEmail, password: adminPassword } })
      expectStatus(login, [200], 'POST /auth/login')
      return dataOf<{ access_token: string }>(login).access_token
    })
    await step(
      'GET /server/health as the administrator',
      async () => {
        const health = await http('GET', '/server/health', { token })
        expectStatus(health, [200], 'GET /server/health')
        const { status } = health.json() as { status: string }
        if (status !== 'ok' && status !== 'warn') throw new Error(`status ${status}: ${health.text.slice(0, 400)}`)
        return status
      },
      (status) => `status: ${status}`
    )

    // The sample directory, with links in Directus's own invite format for the invited users.
    const now = new Date()
    const context = sampleContext(now)
    const users = await Promise.all(
      sampleUsers(now).map(async (user) =>
        user.invite
          ? {
              ...user,
              invite: {
                ...user.invite,
                directusLink: await directusInviteLink({ secret, publicUrl: BASE, email: user.email, expiresAt: user.invite.expiresAt })
              }
            }
          : user
      )
    )
    const roleIds = new Set(context.roles.map((role) => role.id))
    const refused = [
      ...users.map((user) => directusFormat.refuseUser(user)),
      ...context.roles.map((role) => directusFormat.refuseRole(role, 0))
    ].filter((reason) => reason !== null)
    await step('nothing in the sample is refused by refuseUser/refuseRole', () => {
      if (refused.length > 0) throw new Error(refused.join('; '))
    })
    const bundle = writeInBatches(directusFormat.writer(context), users, 4)

    await step(
      'POST /utils/import?mode=merge with the bundle (multipart file)',
      async () => {
        const response = await http('POST', '/utils/import?mode=merge', { token, file: bundle })
        expectStatus(response, [200], 'POST /utils/import')
        const result = dataOf<{ applied: boolean; collections: Record<string, { new: string[]; mapped: Record<string, string> }> }>(
          response
        )
        if (!result.applied) throw new Error('Directus says the import was not applied')
        for (const [collection, outcome] of Object.entries(result.collections)) {
          if (Object.keys(outcome.mapped).length > 0)
            throw new Error(`${collection}: Directus gave new ids to ${JSON.stringify(outcome.mapped)}`)
        }
        return result
      },
      (result) =>
        Object.entries(result.collections)
          .map(([collection, outcome]) => `${collection} ${outcome.new.length} new`)
          .join(', ')
    )
    await step('roles and their access (policies) through GET /roles', () => checkRoles(token, context.roles))
    await step('users through GET /users', () => checkUsers(token, users, roleIds))
    await step(
      'the same bundle a second time updates, never duplicates',
      async () => {
        const response = await http('POST', '/utils/import?mode=merge', { token, file: bundle })
        expectStatus(response, [200], 'POST /utils/import (again)')
        const result = dataOf<{ collections: Record<string, { new: string[]; existing: string[] }> }>(response)
        const added = Object.values(result.collections).reduce((sum, outcome) => sum + outcome.new.length, 0)
        if (added > 0) throw new Error(`${added} records were added again`)
        const count = await http('GET', '/users?aggregate[count]=id', { token })
        return dataOf<{ count: { id: number } }[]>(count)[0]?.count.id
      },
      (count) => `0 new, ${count} users in Directus (the sample and the administrator)`
    )

    await step(
      'Directus refuses what refuseUser refuses: an address on .test',
      async () => {
        const reserved: DirectoryUser = {
          ...(users[7] as DirectoryUser),
          id: '9a4e1c7b-2f3d-4b8a-8e6f-5d4c3b2a1f99',
          email: 'someone@example.test',
          status: 'draft'
        }
        const ours = directusFormat.refuseUser(reserved)
        if (ours === null) throw new Error('refuseUser accepts someone@example.test')
        const response = await http('POST', '/utils/import?mode=merge', {
          token,
          file: writeInBatches(directusFormat.writer({ ...context, roles: [] }), [reserved], 1)
        })
        if (response.status < 400) throw new Error('Directus accepted someone@example.test')
        return `Directus: HTTP ${response.status} ${JSON.stringify((response.json() as { errors: { extensions: unknown }[] }).errors[0]?.extensions)}; ours: ${ours}`
      },
      (detail) => detail
    )

    // A second directory, posted one collection per request.
    const second: DirectoryRole = {
      id: '9a4e1c7b-2f3d-4b8a-8e6f-5d4c3b2a1f01',
      name: 'Per-collection files',
      icon: 'folder_open',
      description: 'Imported through /utils/import/<collection>',
      adminAccess: false,
      // Directus Core (unlicensed) allows 3 seats, users with app or admin access; the sample takes them.
      appAccess: false,
      ipAccess: ['198.51.100.0/24'],
      enforceTfa: false
    }
    const secondContext: HandoffContext = { ...context, roles: [second] }
    const secondUsers: DirectoryUser[] = [
      {
        ...(users[1] as DirectoryUser),
        id: '9a4e1c7b-2f3d-4b8a-8e6f-5d4c3b2a1f11',
        email: 'per.collection@example.org',
        roleId: second.id,
        invite: null
      },
      {
        ...(users[7] as DirectoryUser),
        id: '9a4e1c7b-2f3d-4b8a-8e6f-5d4c3b2a1f12',
        email: 'per.collection.public@example.org',
        status: 'draft',
        invite: null
      }
    ]
    await step(
      'POST /utils/import/<collection> with the per-collection files',
      async () => {
        const files: [DirectusCollection, string][] = [
          ['directus_roles', directusCollectionFile('directus_roles', secondContext)],
          ['directus_policies', directusCollectionFile('directus_policies', secondContext)],
          ['directus_access', directusCollectionFile('directus_access', secondContext)],
          ['directus_users', writeInBatches(directusUsersWriter(secondContext), secondUsers, 1)]
        ]
        for (const [collection, file] of files) {
          const response = await http('POST', `/utils/import/${collection}`, { token, file })
          expectStatus(response, [200, 204], `POST /utils/import/${collection}`)
        }
        await checkRoles(token, [second])
        await checkUsers(token, secondUsers, new Set([second.id]))
        return files.length
      },
      (count) => `${count} requests (roles, policies, access, users); ids, access and users as written`
    )

    // Accept an invite with a Directus-format link and sign in with the new password.
    // A role without app access: accepting into one with it would take a fourth seat (status `inactive-license`).
    const invited = users.find((user) => user.email === 'yamada@example.net') as DirectoryUser
    const link = invited.invite?.directusLink ?? ''
    const password = `Rk-${randomBytes(12).toString('base64url')}!`
    await step(
      'POST /users/invite/accept with a link made by directusInviteLink',
      async () => {
        if (!link.startsWith(`${BASE}/admin/accept-invite?token=`)) throw new Error(`unexpected link ${link}`)
        const inviteToken = new URL(link).searchParams.get('token') ?? ''
        const accept = await http('POST', '/users/invite/accept', { json: { token: inviteToken, password } })
        expectStatus(accept, [200, 204], 'POST /users/invite/accept')
        const again = await http('POST', '/users/invite/accept', { json: { token: inviteToken, password } })
        if (again.status < 400) throw new Error('the same link was accepted twice')
        return again.status
      },
      (status) => `${invited.email} accepted; the same link again: HTTP ${status}`
    )
    await step(
      'POST /auth/login with the new password',
      async () => {
        const login = await http('POST', '/auth/login', { json: { email: invited.email, password } })
        expectStatus(login, [200], 'POST /auth/login')
        const access = dataOf<{ access_token: string }>(login).access_token
        // The user's role has no app access, so read who signed in from the access token itself.
        const claims = JSON.parse(Buffer.from(access.split('.')[1] ?? '', 'base64url').toString('utf8')) as { id: string; role: string }
        const row = await http('GET', `/users/${invited.id}?fields=id,status,role`, { token })
        expectStatus(row, [200], 'GET /users/:id')
        const user = dataOf<{ id: string; status: string; role: string }>(row)
        expectEqual(
          { id: claims.id, role: claims.role, status: user.status },
          { id: invited.id, role: invited.roleId, status: 'active' },
          'the signed-in user'
        )
        return user
      },
      (user) => `signed in as ${user.id} (${invited.email}), now ${user.status}`
    )
    await step(
      'a token signed with another secret is refused',
      async () => {
        const other = users.find((user) => user.status === 'invited' && user !== invited) as DirectoryUser
        const forged = await directusInviteLink({
          secret: 'not-the-secret',
          publicUrl: BASE,
          email: other.email,
          expiresAt: other.invite?.expiresAt ?? ''
        })
        const accept = await http('POST', '/users/invite/accept', { json: { token: new URL(forged).searchParams.get('token'), password } })
        if (accept.status < 400) throw new Error('Directus accepted a token signed with the wrong secret')
        return accept.status
      },
      (status) => `HTTP ${status}`
    )

    // Directus's own exports of what it now holds: the reader tests' fixtures.
    const captured = await step(
      'capture GET /users?export=json|csv, /roles, /policies, /access?export=json',
      async () => {
        mkdirSync(fixtureDir, { recursive: true })
        const exports: [string, string][] = [
          ['users.json', '/users?export=json&limit=-1&sort=email'],
          ['users.csv', '/users?export=csv&limit=-1&sort=email'],
          ['roles.json', '/roles?export=json&limit=-1&sort=name'],
          ['policies.json', '/policies?export=json&limit=-1&sort=name'],
          ['access.json', '/access?export=json&limit=-1&sort=id']
        ]
        for (const [name, path] of exports) {
          const response = await http('GET', path, { token })
          expectStatus(response, [200], `GET ${path}`)
          writeFileSync(join(fixtureDir, name), response.text)
        }
        return exports.map(([name]) => name)
      },
      (names) => `${names.join(', ')} in test/fixtures/directus/`
    )

    await step(
      'our reader on those exports gives back the directory',
      () => {
        const read = (names: string[]) => directusFormat.read(names.map((name) => readFileSync(join(fixtureDir, name), 'utf8')).join('\n'))
        const fromJson = read(['users.json', 'roles.json', 'policies.json', 'access.json'])
        const fromCsv = read(['users.csv'])
        const accepted = users.map((user) => (user.id === invited.id ? { ...user, status: 'active' as const } : user))
        const all = [...accepted, ...secondUsers]
        const ours = new Set(all.map((user) => user.id))
        const json = comparableSource(fromJson)
        const expected = expectedSource([...SAMPLE_ROLES, second], all)
        const ourRoles = new Set(expected.roles.map((role) => role.id))
        expectEqual(
          json.users.filter((user) => ours.has(user.id ?? '')).sort((a, b) => a.email.localeCompare(b.email)),
          expected.users.sort((a, b) => a.email.localeCompare(b.email)),
          'users read from users.json'
        )
        expectEqual(
          json.roles.filter((role) => ourRoles.has(role.id ?? '')).sort((a, b) => a.name.localeCompare(b.name)),
          expected.roles.sort((a, b) => a.name.localeCompare(b.name)),
          'roles read from roles.json + policies.json + access.json'
        )
        const csv = comparableSource(fromCsv).users.filter((user) => ours.has(user.id ?? ''))
        expectEqual(
          csv.sort((a, b) => a.email.localeCompare(b.email)),
          expected.users,
          'users read from users.csv'
        )
        const problems = [...fromJson.problems, ...fromCsv.problems]
        if (problems.length > 0) throw new Error(`problems: ${JSON.stringify(problems)}`)
        return captured.length
      },
      () => 'users, roles, access, statuses and tags from JSON and CSV'
    )
  } catch (error) {
    if (!(error instanceof StepFailure))
      report(false, 'unexpected error', error instanceof Error ? (error.stack ?? error.message) : String(error))
  } finally {
    if (failed && existsSync(join(work, 'directus.log'))) {
      const tail = readFileSync(join(work, 'directus.log'), 'utf8').split('\n').slice(-30).join('\n')
      process.stdout.write(`       the end of Directus's log:\n${tail}\n`)
    }
    if (directus !== null) {
      const pid = directus.pid
      await stop(directus)
      report(true, 'Directus stopped', `pid ${pid}`)
    }
    rmSync(work, { recursive: true, force: true })
  }
  process.stdout.write(failed ? 'interop: FAILED\n' : 'interop: all steps passed\n')
  return failed ? 1 : 0
}

process.exitCode = process.argv.includes('--inside') ? await inside() : await outside()
