import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { DirectoryUser } from '../../src-main/core/formats/handoff'
import { keycloakFormat } from '../../src-main/core/formats/keycloak'
import {
  comparableSource,
  directoryArbitrary,
  expectedSource,
  SAMPLE_OPTIONS,
  SAMPLE_ROLES,
  sampleContext,
  sampleUsers,
  writeInBatches
} from '../helpers/handoff'

/*
 * Keycloak cannot run on this machine, so the partial-import files are checked against the
 * representations its Admin REST API documents (keycloak.org/docs-api/latest/rest-api,
 * org.keycloak.representations.idm, and the admin client's `defs/` in keycloak/keycloak):
 * field names and types as documented, strict objects so that a misspelt or invented field fails.
 */
const attributes = z.record(z.string(), z.array(z.string()))
const int64 = z.int()
const looseObjects = z.array(z.looseObject({}))

const CredentialRepresentation = z.strictObject({
  id: z.string().optional(),
  type: z.string().optional(),
  userLabel: z.string().optional(),
  createdDate: int64.optional(),
  secretData: z.string().optional(),
  credentialData: z.string().optional(),
  priority: z.int().optional(),
  value: z.string().optional(),
  temporary: z.boolean().optional(),
  device: z.string().optional(),
  hashedSaltedValue: z.string().optional(),
  salt: z.string().optional(),
  hashIterations: z.int().optional(),
  counter: z.int().optional(),
  algorithm: z.string().optional(),
  digits: z.int().optional(),
  period: z.int().optional(),
  config: z.record(z.string(), z.array(z.string())).optional()
})

const RoleRepresentation = z.strictObject({
  id: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  scopeParamRequired: z.boolean().optional(),
  composite: z.boolean().optional(),
  composites: z
    .strictObject({
      realm: z.array(z.string()).optional(),
      client: z.record(z.string(), z.array(z.string())).optional(),
      application: z.record(z.string(), z.array(z.string())).optional()
    })
    .optional(),
  clientRole: z.boolean().optional(),
  containerId: z.string().optional(),
  attributes: attributes.optional()
})

const RolesRepresentation = z.strictObject({
  realm: z.array(RoleRepresentation).optional(),
  client: z.record(z.string(), z.array(RoleRepresentation)).optional(),
  application: z.record(z.string(), z.array(RoleRepresentation)).optional()
})

const UserRepresentation = z.strictObject({
  self: z.string().optional(),
  id: z.string().optional(),
  origin: z.string().optional(),
  createdTimestamp: int64.optional(),
  username: z.string().optional(),
  enabled: z.boolean().optional(),
  totp: z.boolean().optional(),
  emailVerified: z.boolean().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  federationLink: z.string().optional(),
  serviceAccountClientId: z.string().optional(),
  attributes: attributes.optional(),
  credentials: z.array(CredentialRepresentation).optional(),
  disableableCredentialTypes: z.array(z.string()).optional(),
  requiredActions: z.array(z.string()).optional(),
  federatedIdentities: looseObjects.optional(),
  realmRoles: z.array(z.string()).optional(),
  clientRoles: z.record(z.string(), z.array(z.string())).optional(),
  clientConsents: looseObjects.optional(),
  notBefore: z.int().optional(),
  applicationRoles: z.record(z.string(), z.array(z.string())).optional(),
  socialLinks: looseObjects.optional(),
  groups: z.array(z.string()).optional(),
  access: z.record(z.string(), z.boolean()).optional(),
  userProfileMetadata: z.looseObject({}).optional()
})

const Policy = z.enum(['SKIP', 'OVERWRITE', 'FAIL'])

const PartialImportRepresentation = z.strictObject({
  ifResourceExists: Policy,
  policy: Policy.optional(),
  users: z.array(UserRepresentation).optional(),
  clients: looseObjects.optional(),
  groups: looseObjects.optional(),
  identityProviders: looseObjects.optional(),
  identityProviderMappers: looseObjects.optional(),
  roles: RolesRepresentation.optional()
})

// A realm has some hundred settings; these are the ones a reader of users and roles relies on.
const RealmRepresentation = z.looseObject({
  id: z.string().optional(),
  realm: z.string(),
  displayName: z.string().optional(),
  enabled: z.boolean().optional(),
  notBefore: z.int().optional(),
  sslRequired: z.string().optional(),
  roles: RolesRepresentation.optional(),
  groups: looseObjects.optional(),
  defaultRole: RoleRepresentation.optional(),
  users: z.array(UserRepresentation).optional(),
  clients: looseObjects.optional(),
  requiredActions: looseObjects.optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  keycloakVersion: z.string().optional()
})

/** The required actions Keycloak ships (RequiredAction provider aliases). */
const REQUIRED_ACTIONS = new Set([
  'UPDATE_PASSWORD',
  'VERIFY_EMAIL',
  'CONFIGURE_TOTP',
  'UPDATE_PROFILE',
  'TERMS_AND_CONDITIONS',
  'VERIFY_PROFILE'
])

type PartialImport = z.output<typeof PartialImportRepresentation>

function validExport(text: string): PartialImport {
  const body = PartialImportRepresentation.parse(JSON.parse(text))
  for (const user of body.users ?? []) for (const action of user.requiredActions ?? []) expect(REQUIRED_ACTIONS).toContain(action)
  return body
}

const NOW = new Date('2026-03-01T10:00:00.000Z')
const users = sampleUsers(NOW)
const context = sampleContext(NOW)
const FIXTURE = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'keycloak', 'realm-export.json'), 'utf8')
/** The 1-based line of the `{` that opens the entry whose "id" line holds `id` (kc.sh puts "id" first). */
const entryLine = (id: string): number => FIXTURE.split('\n').findIndex((text) => text.includes(`"id" : "${id}"`))

describe('Keycloak writer', () => {
  const body = validExport(writeInBatches(keycloakFormat.writer(context), users, 3))

  it('writes a PartialImportRepresentation with ifResourceExists from the options', () => {
    expect(body.ifResourceExists).toBe('SKIP')
    for (const ifResourceExists of ['FAIL', 'OVERWRITE'] as const) {
      const text = writeInBatches(keycloakFormat.writer({ ...context, options: { ...SAMPLE_OPTIONS, ifResourceExists } }), users, 5)
      expect(validExport(text).ifResourceExists).toBe(ifResourceExists)
    }
  })

  it('writes every role as a realm role carrying its id and fields as attributes', () => {
    expect(body.roles?.realm?.map((role) => role.name)).toEqual(SAMPLE_ROLES.map((role) => role.name))
    expect(body.roles?.realm?.[2]).toEqual({
      name: 'Leser 読者',
      description: 'Read only, from the office',
      composite: false,
      clientRole: false,
      attributes: {
        rolekeeperId: [SAMPLE_ROLES[2]?.id],
        rolekeeperIcon: ['visibility'],
        rolekeeperAdminAccess: ['false'],
        rolekeeperAppAccess: ['false'],
        rolekeeperEnforceTfa: ['true'],
        rolekeeperIpAccess: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']
      }
    })
    expect(body.roles?.realm?.[1]).not.toHaveProperty('description')
  })

  it('writes users with username = email, enabled from the status, their realm role and attributes', () => {
    const written = body.users ?? []
    expect(written.map((user) => [user.username, user.enabled])).toEqual(
      users.map((user) => [user.email, user.status === 'active' || user.status === 'invited'])
    )
    expect(written[0]).toEqual({
      username: 'ops.lead@example.org',
      email: 'ops.lead@example.org',
      firstName: 'Zoë',
      lastName: 'Ó Briain',
      enabled: true,
      emailVerified: true,
      createdTimestamp: Date.parse(users[0]?.createdAt ?? ''),
      realmRoles: ['Operations Admins'],
      requiredActions: [],
      attributes: {
        rolekeeperId: [users[0]?.id],
        rolekeeperStatus: ['active'],
        rolekeeperTitle: ['Head of Operations'],
        rolekeeperLocation: ['Dublin'],
        rolekeeperDescription: ['On call\nweekdays'],
        rolekeeperTags: ['ops', 'on-call']
      }
    })
    // Public, invited: no realm role, the actions an invite needs, the invite as attributes.
    expect(written[9]).toMatchObject({
      realmRoles: [],
      enabled: true,
      emailVerified: false,
      requiredActions: ['UPDATE_PASSWORD', 'VERIFY_EMAIL'],
      attributes: {
        rolekeeperStatus: ['invited'],
        rolekeeperInviteLink: [users[9]?.invite?.link],
        rolekeeperInviteExpiresAt: [users[9]?.invite?.expiresAt]
      }
    })
    // Keycloak keeps addresses in lower case; the casing typed travels beside.
    expect(written[2]?.attributes?.['rolekeeperEmail']).toEqual(['Ana.Garcia@example.com'])
    expect(written[0]?.attributes).not.toHaveProperty('rolekeeperEmail')
  })

  it('carries a bare token when there is no link, and says when an invite had expired', () => {
    const invited = users[2] as DirectoryUser
    const bare = { ...invited, invite: invited.invite && { ...invited.invite, link: null, expired: true } }
    const [user] = validExport(writeInBatches(keycloakFormat.writer(context), [bare], 1)).users ?? []
    expect(user?.attributes).toMatchObject({ rolekeeperInviteToken: [invited.invite?.token], rolekeeperInviteExpired: ['true'] })
    expect(user?.attributes).not.toHaveProperty('rolekeeperInviteLink')
  })

  it('makes a user whose role is not in the file Public', () => {
    const only = sampleContext(NOW, [SAMPLE_ROLES[0] as (typeof SAMPLE_ROLES)[number]])
    const written = validExport(writeInBatches(keycloakFormat.writer(only), users, 4)).users ?? []
    expect(written.map((user) => user.realmRoles)).toEqual(
      users.map((user) => (user.roleId === SAMPLE_ROLES[0]?.id ? ['Operations Admins'] : []))
    )
  })

  it('streams: any batching gives the same file, and no users is still valid', () => {
    const whole = writeInBatches(keycloakFormat.writer(context), users, users.length)
    for (const size of [1, 2, 7]) expect(writeInBatches(keycloakFormat.writer(context), users, size)).toBe(whole)
    expect(validExport(writeInBatches(keycloakFormat.writer(sampleContext(NOW, [])), [], 1))).toEqual({
      ifResourceExists: 'SKIP',
      roles: { realm: [] },
      users: []
    })
  })

  it('refuses what Keycloak refuses', () => {
    const user = users[1] as DirectoryUser
    expect(keycloakFormat.refuseUser(user)).toBeNull()
    expect(keycloakFormat.refuseUser({ ...user, email: `${'a'.repeat(65)}@example.org` })).toMatch(/64 characters/)
    expect(keycloakFormat.refuseRole(SAMPLE_ROLES[0] as (typeof SAMPLE_ROLES)[number], 1)).toBeNull()
    for (const name of ['offline_access', 'uma_authorization', 'default-roles-acme']) {
      expect(keycloakFormat.refuseRole({ ...(SAMPLE_ROLES[0] as (typeof SAMPLE_ROLES)[number]), name }, 0)).toMatch(/Keycloak's own/)
    }
  })
})

describe('Keycloak reader', () => {
  it('reads its own partial import back, every entry with its line', () => {
    const text = writeInBatches(keycloakFormat.writer(context), users, 4)
    const read = keycloakFormat.read(text)
    expect(read.problems).toEqual([])
    expect(comparableSource(read)).toEqual(expectedSource(SAMPLE_ROLES, users))
    const lines = text.split('\n')
    for (const user of read.users) expect(lines[user.line - 1]).toContain(`"rolekeeperId":["${user.id}"]`)
    for (const role of read.roles) expect(lines[role.line - 1]).toContain(`"rolekeeperId":["${role.id}"]`)
    expect(read.roles.map((role) => role.icon)).toEqual(SAMPLE_ROLES.map((role) => role.icon))
  })

  describe('on a realm export (kc.sh export)', () => {
    it('is a RealmRepresentation', () => {
      expect(() => RealmRepresentation.parse(JSON.parse(FIXTURE))).not.toThrow()
    })

    const read = keycloakFormat.read(FIXTURE)

    it('reads realm roles, leaving out Keycloak’s own', () => {
      expect(read.roles.map((role) => [role.ref, role.id])).toEqual([
        ['editors', '0f2c4e6a-8b1d-4c3e-a5f7-9b0d2e4f6a82'],
        ['Leser 読者', '6d1c2a8e-4b7f-4c3a-9e21-0a5f3b8c7d03'],
        ['auditors', '0f2c4e6a-8b1d-4c3e-a5f7-9b0d2e4f6a86']
      ])
      expect(read.roles[1]).toMatchObject({
        icon: 'visibility',
        adminAccess: false,
        appAccess: false,
        enforceTfa: true,
        ipAccess: ['10.0.0.0/8', '2001:db8::/32']
      })
      expect(read.roles[0]).toEqual({
        ref: 'editors',
        id: '0f2c4e6a-8b1d-4c3e-a5f7-9b0d2e4f6a82',
        name: 'editors',
        description: "Edit the site's pages",
        line: entryLine('0f2c4e6a-8b1d-4c3e-a5f7-9b0d2e4f6a82')
      })
    })

    it('reads users: all their realm roles in order, enabled → active or suspended unless our status says', () => {
      const byEmail = new Map(read.users.map((user) => [user.email, user]))
      expect(byEmail.get('ann.lee@example.org')).toEqual({
        line: entryLine('7c9e1a3b-5d7f-4b9d-8f1a-3c5e7a9b1d01'),
        id: '7c9e1a3b-5d7f-4b9d-8f1a-3c5e7a9b1d01',
        email: 'ann.lee@example.org',
        status: 'active',
        roles: ['editors', 'auditors'],
        firstName: 'Ann',
        lastName: 'Lee'
      })
      expect(byEmail.get('bob@example.org')).toMatchObject({ status: 'suspended', roles: [], firstName: 'Bob' })
      expect(byEmail.get('bob@example.org')).not.toHaveProperty('lastName')
      expect(byEmail.get('yamada@example.net')).toEqual({
        line: expect.any(Number),
        id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c04',
        email: 'yamada@example.net',
        status: 'invited',
        roles: ['Leser 読者'],
        firstName: '太郎',
        lastName: '山田',
        title: null,
        location: '東京',
        description: null,
        tags: ['読者']
      })
      expect(byEmail.get('suspended.but.said@example.org')).toMatchObject({ status: 'archived', roles: [] })
    })

    it('reports the service account, which has no address, as one problem with its line', () => {
      expect(read.problems).toEqual([
        { line: entryLine('7c9e1a3b-5d7f-4b9d-8f1a-3c5e7a9b1d04'), reason: 'The user service-account-reports has no email address' }
      ])
      expect(read.users).toHaveLength(4)
    })

    it('reads a realm file and a users file joined (kc.sh export --users different_files)', () => {
      const usersFile = JSON.stringify(
        { realm: 'acme', users: [{ username: 'extra@example.org', email: 'extra@example.org', enabled: true, realmRoles: ['auditors'] }] },
        null,
        2
      )
      const joined = keycloakFormat.read(`${FIXTURE}\n${usersFile}`)
      expect(joined.users.at(-1)).toMatchObject({
        email: 'extra@example.org',
        roles: ['auditors'],
        status: 'active',
        // The joined text: the realm file, a blank line, then `{`, `"realm"`, `"users": [`, the user.
        line: FIXTURE.split('\n').length + 4
      })
      expect(joined.roles).toHaveLength(3)
    })
  })

  it('turns an unreadable entry into one problem and reads the rest; a syntax error keeps what came before', () => {
    const text = [
      '{"ifResourceExists":"SKIP","users":[',
      '{"username":"a@example.org","email":"a@example.org","enabled":true},',
      '42,',
      '{"username":"b@example.org","attributes":["not","an","object"]},',
      '{"username":"c@example.org","enabled":true}',
      ']}'
    ].join('\n')
    const read = keycloakFormat.read(text)
    expect(read.users.map((user) => [user.email, user.line])).toEqual([
      ['a@example.org', 2],
      ['c@example.org', 5]
    ])
    expect(read.problems).toEqual([
      { line: 3, reason: 'A user that is not an object' },
      { line: 4, reason: 'User attributes that are not an object' }
    ])
    const cut = keycloakFormat.read('{"users":[\n{"email":"a@example.org","enabled":true},\n{"email":"b@example.org",')
    expect(cut.users.map((user) => user.email)).toEqual(['a@example.org'])
    expect(cut.problems).toEqual([{ line: 3, reason: expect.stringMatching(/^Not valid JSON/) }])
  })

  it('reads a file of 150,000 users (no spread of them into one call)', () => {
    const many = `{"users":[${Array.from({ length: 150_000 }, (_, i) => `{"email":"u${i}@example.org","enabled":true}`).join(',')}]}`
    const read = keycloakFormat.read(many)
    expect(read.users).toHaveLength(150_000)
    expect(read.users[149_999]).toMatchObject({ email: 'u149999@example.org', line: 1, status: 'active' })
  })

  it('recognises partial imports and realm exports, nothing else', () => {
    expect(keycloakFormat.recognise(writeInBatches(keycloakFormat.writer(context), users, 4).slice(0, 1024))).toBe(true)
    expect(keycloakFormat.recognise(FIXTURE.slice(0, 1024))).toBe(true)
    expect(keycloakFormat.recognise('[\n{"collection":"directus_roles","items":[]}]')).toBe(false)
    expect(keycloakFormat.recognise('"id","first_name","last_name","email","tfa_secret"\n')).toBe(false)
    expect(keycloakFormat.recognise('{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[]}')).toBe(false)
  })
})

describe('Keycloak round trip', () => {
  it('never fails a file: any text reads into users and problems without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(() => keycloakFormat.read(text)).not.toThrow()
      }),
      { numRuns: 300 }
    )
  })

  it('reads an export cut anywhere into whole users only, each as written', () => {
    const whole = writeInBatches(keycloakFormat.writer(context), users, 3)
    const written = new Map(users.map((user) => [user.id, user]))
    fc.assert(
      fc.property(fc.nat({ max: whole.length }), (end) => {
        const read = keycloakFormat.read(whole.slice(0, end))
        for (const user of read.users) {
          const original = written.get(user.id ?? '')
          expect(original, user.email).toBeDefined()
          expect([user.email, user.status, user.firstName, user.tags]).toEqual([
            original?.email,
            original?.status,
            original?.firstName,
            original?.tags
          ])
        }
        if (end < whole.length - 2) expect(read.problems.length).toBeGreaterThan(0)
      }),
      { numRuns: 300 }
    )
  })

  it('every export is a valid PartialImportRepresentation, and reads back to the same directory', () => {
    fc.assert(
      fc.property(directoryArbitrary, ({ roles, users: people, batch }) => {
        const text = writeInBatches(keycloakFormat.writer(sampleContext(NOW, roles)), people, batch)
        validExport(text)
        const read = keycloakFormat.read(text)
        expect(read.problems).toEqual([])
        expect(comparableSource(read)).toEqual(expectedSource(roles, people))
      }),
      { numRuns: 200 }
    )
  })
})
