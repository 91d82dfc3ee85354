/**
 * Bringing a directory in from the systems people sign in to: real files wherever the system
 * runs here (Directus's own exports captured by `npm run test:interop`, OpenLDAP's `slapcat`),
 * a Keycloak realm export in the layout `kc.sh export` writes, and Rolekeeper's own files.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { exportToString } from '../../src-main/core/export'
import { applyImport, previewImport, recogniseImportFormat } from '../../src-main/core/import'
import { createRoleInput, createUserInput, importOptions } from '../../src-main/core/inputs'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { createUser } from '../../src-main/core/users'
import { SAMPLE_ROLES, sampleUsers } from '../helpers/handoff'
import { startSlapd, type Slapd } from '../helpers/slapd'
import { openTestStore } from '../helpers/store'

const fixture = (...path: string[]): string => readFileSync(join(import.meta.dirname, '..', 'fixtures', ...path), 'utf8')

let store: Store
beforeEach(async () => {
  store = await openTestStore()
})
afterEach(() => store.close())

const users = (target: Store) =>
  target.sqlite
    .prepare(
      `SELECT users.id, users.email, users.first_name, users.last_name, users.status, roles.name AS role, users.tags
        FROM users LEFT JOIN roles ON roles.id = users.role_id ORDER BY users.email_key`
    )
    .all() as Array<{ id: string; email: string; status: string; role: string | null; tags: string }>

describe('a Directus export', () => {
  const directusFiles = (usersFile: string) => [
    { name: usersFile, content: fixture('directus', usersFile) },
    { name: 'roles.json', content: fixture('directus', 'roles.json') },
    { name: 'policies.json', content: fixture('directus', 'policies.json') },
    { name: 'access.json', content: fixture('directus', 'access.json') }
  ]

  it.each(['users.json', 'users.csv'])(
    '(%s with roles, policies and access) brings in the users with their ids, roles and statuses',
    (usersFile) => {
      const options = importOptions.parse({})
      const preview = previewImport(store, directusFiles(usersFile), options)
      expect(preview.format).toBe('directus')
      const sample = sampleUsers()
      expect(preview.counts.new).toBeGreaterThanOrEqual(sample.length)
      // The roles Directus holds and the directory lacks are created, with the ids Directus has.
      expect(preview.newRoles.map((role) => role.name)).toEqual(expect.arrayContaining(SAMPLE_ROLES.map((role) => role.name)))
      applyImport(store, directusFiles(usersFile), options)
      const imported = new Map(users(store).map((user) => [user.id, user]))
      const roleName = new Map(SAMPLE_ROLES.map((role) => [role.id, role.name]))
      for (const expected of sample) {
        const user = imported.get(expected.id)
        expect(user, expected.email).toBeDefined()
        expect(user?.role ?? null).toBe(expected.roleId === null ? null : (roleName.get(expected.roleId) ?? null))
        expect(JSON.parse(user?.tags ?? '[]')).toEqual(expected.tags)
      }
      // The one invite the interop run accepted is active in Directus; the others are as exported.
      expect(imported.get('3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c04')?.status).toBe('active')
      expect(imported.get('3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c03')?.status).toBe('invited')
      const admins = store.sqlite
        .prepare('SELECT admin_access, app_access, enforce_tfa, ip_access FROM roles WHERE id = ?')
        .get(SAMPLE_ROLES[2]?.id)
      expect(admins).toEqual({ admin_access: 0, app_access: 0, enforce_tfa: 1, ip_access: JSON.stringify(SAMPLE_ROLES[2]?.ipAccess) })
    }
  )

  it('refuses several files read together when they are not all Directus collections', () => {
    const csv = { name: 'people.csv', content: 'email\nann@example.org\n' }
    expect(() =>
      previewImport(store, [csv, { name: 'roles.json', content: fixture('directus', 'roles.json') }], importOptions.parse({}))
    ).toThrow(/only for a Directus export.*people\.csv/)
  })
})

describe('a Keycloak realm export', () => {
  const realm = fixture('keycloak', 'realm-export.json')

  it('is recognised, leaves out Keycloak’s own roles, and names the roles of users who hold several', () => {
    expect(recogniseImportFormat(realm)).toBe('keycloak')
    const preview = previewImport(store, realm, importOptions.parse({}))
    expect(preview.newRoles.map((role) => role.name)).not.toContain('offline_access')
    const ann = preview.rows.find((row) => row.email === 'ann.lee@example.org')
    expect(ann).toMatchObject({ outcome: 'new', role: 'editors', otherRoles: ['auditors'] })
    expect(preview.multipleRoles).toBeGreaterThan(0)
    expect(preview.rolesInConflict).toEqual(expect.arrayContaining(['auditors', 'editors']))
  })

  it('keeps the first listed role, the first by the admin’s order, or skips such users, as chosen', () => {
    const ann = (rule: 'first' | 'order' | 'skip', roleOrder: string[] = []) =>
      previewImport(store, realm, importOptions.parse({ multipleRoles: rule, roleOrder })).rows.find(
        (row) => row.email === 'ann.lee@example.org'
      )
    expect(ann('first')).toMatchObject({ outcome: 'new', role: 'editors' })
    expect(ann('order', ['auditors', 'editors'])).toMatchObject({ outcome: 'new', role: 'auditors', otherRoles: ['editors'] })
    expect(ann('skip')).toMatchObject({ outcome: 'skipped', role: null, otherRoles: ['editors', 'auditors'] })
    applyImport(store, realm, importOptions.parse({ multipleRoles: 'skip' }))
    expect(users(store).map((user) => user.email)).not.toContain('ann.lee@example.org')
  })

  it('makes a disabled user suspended', () => {
    applyImport(store, realm, importOptions.parse({}))
    expect(users(store).find((user) => user.email === 'bob@example.org')?.status).toBe('suspended')
  })
})

describe('OpenLDAP’s own dump', () => {
  let slapd: Slapd
  beforeAll(async () => {
    slapd = await startSlapd('dc=example,dc=org', 'example')
  })
  afterAll(() => slapd.stop())

  it('(slapcat of a loaded export) brings the directory back into an empty database', async () => {
    const editors = createRole(store, createRoleInput.parse({ name: 'Éditeurs', adminAccess: true })).id
    createRole(store, createRoleInput.parse({ name: 'Nobody yet' }))
    createUser(
      store,
      createUserInput.parse({ email: 'zoe@example.org', firstName: 'Zoë', status: 'active', roleId: editors, tags: ['a', 'b'] })
    )
    createUser(store, createUserInput.parse({ email: 'pat@example.org', lastName: 'Public', status: 'suspended' }))
    const file = await exportToString(store, {
      scope: { kind: 'users', selection: { filter: {} } },
      format: 'ldif',
      ldifBaseDn: 'dc=example,dc=org'
    })
    expect((await slapd.ldapadd(file)).stderr).toBe('')
    const dump = await slapd.slapcat()

    const target = await openTestStore()
    try {
      const preview = previewImport(target, dump, importOptions.parse({}))
      expect(preview.format).toBe('ldif')
      expect(preview.counts).toMatchObject({ new: 2, invalid: 0 })
      applyImport(target, dump, importOptions.parse({}))
      expect(users(target)).toEqual(users(store))
      const roles = (s: Store) => s.sqlite.prepare('SELECT id, name, admin_access FROM roles ORDER BY name_key').all()
      expect(roles(target)).toEqual(roles(store))
    } finally {
      target.close()
    }
  })
})

describe('Rolekeeper’s own lists', () => {
  it('a user export in JSON comes back with names, statuses, roles and profile fields', async () => {
    const staff = createRole(store, createRoleInput.parse({ name: 'Staff' })).id
    createUser(
      store,
      createUserInput.parse({
        email: 'ann@example.org',
        firstName: 'Ann',
        status: 'suspended',
        roleId: staff,
        title: 'Nurse',
        tags: ['night']
      })
    )
    const file = await exportToString(store, { scope: { kind: 'users', selection: { filter: {} } }, format: 'json' })
    expect(recogniseImportFormat(file)).toBe('json')
    const target = await openTestStore()
    try {
      createRole(target, createRoleInput.parse({ name: 'Staff' }))
      applyImport(target, file, importOptions.parse({}))
      const [ann] = target.sqlite.prepare('SELECT email, first_name, status, title, tags FROM users').all()
      expect(ann).toEqual({ email: 'ann@example.org', first_name: 'Ann', status: 'suspended', title: 'Nurse', tags: '["night"]' })
    } finally {
      target.close()
    }
  })
})
