import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  directusAccessId,
  directusCollectionFile,
  directusEmailProblem,
  directusFormat,
  directusUsersWriter,
  readDirectusFiles
} from '../../src-main/core/formats/directus'
import { directusAcceptUrl, directusInviteLink } from '../../src-main/core/formats/directus-link'
import type { DirectoryUser } from '../../src-main/core/formats/handoff'
import {
  comparableSource,
  directoryArbitrary,
  expectedSource,
  SAMPLE_ROLES,
  sampleContext,
  sampleUsers,
  writeInBatches
} from '../helpers/handoff'

const NOW = new Date('2026-03-01T10:00:00.000Z')
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'directus')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')

interface BundleEntry {
  collection: string
  items: Record<string, unknown>[]
  rolekeeper_invites?: Record<string, unknown>[]
}

const users = sampleUsers(NOW)
const context = sampleContext(NOW)
const bundleOf = (text: string): BundleEntry[] => JSON.parse(text) as BundleEntry[]
const entryOf = (bundle: BundleEntry[], collection: string): BundleEntry => {
  const entry = bundle.find((candidate) => candidate.collection === collection)
  if (entry === undefined) throw new Error(`no ${collection} in the bundle`)
  return entry
}

describe('Directus writer', () => {
  const bundle = bundleOf(writeInBatches(directusFormat.writer(context), users, 3))

  it('writes the POST /utils/import body: roles, policies, access and users, each once', () => {
    expect(bundle.map((entry) => entry.collection)).toEqual(['directus_roles', 'directus_policies', 'directus_access', 'directus_users'])
    expect(entryOf(bundle, 'directus_roles').items[1]).toEqual({
      id: SAMPLE_ROLES[1]?.id,
      name: 'Rédaction — Éditeurs',
      icon: 'edit_note',
      description: null
    })
  })

  it('puts each role’s access on a policy with the role’s id, linked by a stable access row', () => {
    const readers = SAMPLE_ROLES[2]
    expect(entryOf(bundle, 'directus_policies').items[2]).toEqual({
      id: readers?.id,
      name: 'Leser 読者',
      icon: 'visibility',
      description: 'Read only, from the office',
      admin_access: false,
      app_access: false,
      ip_access: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
      enforce_tfa: true
    })
    expect(entryOf(bundle, 'directus_policies').items[0]).toMatchObject({ admin_access: true, app_access: true, ip_access: null })
    const access = entryOf(bundle, 'directus_access').items[2]
    expect(access).toEqual({ id: directusAccessId(readers?.id ?? ''), role: readers?.id, user: null, policy: readers?.id, sort: 1 })
    expect(access?.['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(directusAccessId(readers?.id ?? '')).not.toBe(directusAccessId(SAMPLE_ROLES[0]?.id ?? ''))
  })

  it('writes users with their ids, role ids, statuses as they are and tags as lists', () => {
    const items = entryOf(bundle, 'directus_users').items
    expect(items.map((item) => item['status'])).toEqual(users.map((user) => user.status))
    expect(items[0]).toEqual({
      id: users[0]?.id,
      email: 'ops.lead@example.org',
      first_name: 'Zoë',
      last_name: 'Ó Briain',
      status: 'active',
      role: SAMPLE_ROLES[0]?.id,
      title: 'Head of Operations',
      location: 'Dublin',
      description: 'On call\nweekdays',
      tags: ['ops', 'on-call']
    })
    // Public, untagged: Directus's own nulls.
    expect(items[9]).toMatchObject({ email: 'ines.invited@example.org', status: 'invited', role: null, tags: null })
  })

  it('makes a user whose role is not in the file Public', () => {
    const only = sampleContext(NOW, [SAMPLE_ROLES[0] as (typeof SAMPLE_ROLES)[number]])
    const items = entryOf(bundleOf(writeInBatches(directusFormat.writer(only), users, 10)), 'directus_users').items
    expect(items.map((item) => item['role'])).toEqual(users.map((user) => (user.roleId === SAMPLE_ROLES[0]?.id ? user.roleId : null)))
  })

  it('carries Directus-format invite links beside the users, not on them', () => {
    const linked = users.map((user) =>
      user.invite
        ? { ...user, invite: { ...user.invite, directusLink: `https://cms.example.org/admin/accept-invite?token=${user.id}` } }
        : user
    )
    const users$ = entryOf(bundleOf(writeInBatches(directusFormat.writer(context), linked, 2)), 'directus_users')
    expect(users$.rolekeeper_invites).toEqual(
      linked
        .filter((user) => user.invite)
        .map((user) => ({
          id: user.id,
          email: user.email,
          link: `https://cms.example.org/admin/accept-invite?token=${user.id}`,
          expires_at: user.invite?.expiresAt,
          expired: false
        }))
    )
    expect(users$.items.every((item) => Object.keys(item).every((key) => !key.includes('invite')))).toBe(true)
    expect(entryOf(bundle, 'directus_users').rolekeeper_invites).toBeUndefined()
  })

  it('streams: any batching gives the same file, and no users is still a valid body', () => {
    const whole = writeInBatches(directusFormat.writer(context), users, users.length)
    for (const size of [1, 2, 7]) expect(writeInBatches(directusFormat.writer(context), users, size)).toBe(whole)
    const writer = directusFormat.writer(context)
    const empty = bundleOf(writer.start() + writer.users([]) + writer.end())
    expect(entryOf(empty, 'directus_users').items).toEqual([])
    expect(bundleOf(writeInBatches(directusFormat.writer(sampleContext(NOW, [])), [], 1)).map((entry) => entry.items.length)).toEqual([
      0, 0, 0, 0
    ])
  })

  it('writes the per-collection files for /utils/import/<collection> with the bundle’s items', () => {
    for (const collection of ['directus_roles', 'directus_policies', 'directus_access'] as const) {
      expect(JSON.parse(directusCollectionFile(collection, context))).toEqual(entryOf(bundle, collection).items)
    }
    expect(JSON.parse(writeInBatches(directusUsersWriter(context), users, 4))).toEqual(entryOf(bundle, 'directus_users').items)
    expect(JSON.parse(writeInBatches(directusUsersWriter(context), [], 4))).toEqual([])
    expect(JSON.parse(directusCollectionFile('directus_roles', sampleContext(NOW, [])))).toEqual([])
  })
})

describe('What Directus refuses', () => {
  const base = users[1] as DirectoryUser
  const refuse = (change: Partial<DirectoryUser>): string | null => directusFormat.refuseUser({ ...base, ...change })

  it('refuses addresses on top-level domains that are not in the IANA list, as Joi does', () => {
    for (const email of ['ann@example.test', 'ann@example.example', 'ann@example.invalid', 'ann@host.localhost', 'ann@intranet.corp']) {
      expect(refuse({ email })).toMatch(/top-level domain/)
    }
    for (const email of [
      'ann@example.org',
      'Ann.Lee+tag@Example.COM',
      'Jürgen.Müller@bücher.example.org',
      'ann@xn--bcher-kva.de',
      'ann@пример.рф'
    ]) {
      expect(refuse({ email }), email).toBeNull()
    }
  })

  it('refuses what @hapi/address refuses beyond the domain list', () => {
    expect(refuse({ email: 'ann@under_score.org' })).toMatch(/underscore/)
    expect(refuse({ email: `${'a'.repeat(65)}@example.org` })).toMatch(/64 bytes/)
    expect(directusEmailProblem('ann@localhost')).toMatch(/two parts/)
    expect(directusEmailProblem('ann..lee@example.org')).toMatch(/empty dot-separated part/)
  })

  it('refuses fields longer than Directus’s columns', () => {
    const long = `${'a'.repeat(60)}@${'b'.repeat(60)}.example.org`
    expect(directusEmailProblem(long)).toBeNull()
    expect(refuse({ email: long })).toMatch(/128 characters/)
    expect(refuse({ title: 't'.repeat(51) })).toMatch(/title/)
    expect(refuse({ title: 't'.repeat(50) })).toBeNull()
    expect(refuse({ firstName: 'f'.repeat(51) })).toMatch(/first name/)
  })

  it('refuses a role icon longer than directus_roles.icon, nothing else about a role', () => {
    const role = SAMPLE_ROLES[0] as (typeof SAMPLE_ROLES)[number]
    expect(directusFormat.refuseRole(role, 0)).toBeNull()
    expect(directusFormat.refuseRole({ ...role, icon: 'sentiment_extremely_dissatisfied' }, 3)).toMatch(/30 characters/)
  })
})

describe('Directus invite links', () => {
  const secret = 'a-directus-secret-of-the-server-under-test'

  it('signs { email, scope: "invite" } with HS256 over the SECRET, issuer directus, the invite’s expiry', async () => {
    const expiresAt = '2026-03-08T09:00:00.000Z'
    const link = await directusInviteLink({
      secret,
      publicUrl: 'https://cms.example.org',
      email: 'Ana.Garcia@example.com',
      expiresAt,
      issuedAt: NOW
    })
    expect(link).toMatch(/^https:\/\/cms\.example\.org\/admin\/accept-invite\?token=[\w-]+\.[\w-]+\.[\w-]+$/)
    const token = new URL(link).searchParams.get('token') ?? ''
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: 'directus', currentDate: NOW })
    expect(payload).toEqual({
      email: 'Ana.Garcia@example.com',
      scope: 'invite',
      iss: 'directus',
      iat: NOW.getTime() / 1000,
      exp: Date.parse(expiresAt) / 1000
    })
    await expect(jwtVerify(token, new TextEncoder().encode('another secret'), { currentDate: NOW })).rejects.toThrow()
  })

  it('builds the accept URL under a PUBLIC_URL with a path, as Directus does', () => {
    expect(directusAcceptUrl('https://example.org/directus/', 'T')).toBe('https://example.org/directus/admin/accept-invite?token=T')
    expect(directusAcceptUrl('http://127.0.0.1:8055', 'a.b.c')).toBe('http://127.0.0.1:8055/admin/accept-invite?token=a.b.c')
  })
})

describe('Directus reader', () => {
  it('reads its own bundle back: roles with their access, users with ids, statuses, profile and tags', () => {
    const read = directusFormat.read(writeInBatches(directusFormat.writer(context), users, 4))
    expect(read.problems).toEqual([])
    expect(comparableSource(read)).toEqual(expectedSource(SAMPLE_ROLES, users))
    expect(read.roles.map((role) => [role.ref, role.icon])).toEqual(SAMPLE_ROLES.map((role) => [role.id, role.icon]))
  })

  it('gives every entry its line', () => {
    const text = writeInBatches(directusFormat.writer(context), users, 4)
    const lines = text.split('\n')
    const read = directusFormat.read(text)
    for (const user of read.users) expect(lines[user.line - 1]).toContain(`"id":"${user.id}"`)
    for (const role of read.roles) expect(lines[role.line - 1]).toContain(`"id":"${role.id}"`)
  })

  describe('on the exports of a real Directus 12.4.0 (test/fixtures/directus)', () => {
    // After the interop run imported the sample and yamada accepted her invite.
    const accepted = users.map((user) => (user.email === 'yamada@example.net' ? { ...user, status: 'active' as const } : user))
    const ours = new Set(accepted.map((user) => user.id))
    const sampleRoles = new Set(SAMPLE_ROLES.map((role) => role.id))
    const expected = expectedSource(SAMPLE_ROLES, accepted)
    const byEmail = <T extends { email: string }>(list: T[]): T[] => [...list].sort((a, b) => a.email.localeCompare(b.email))

    it('reads users.json with roles.json, policies.json and access.json joined into one text', () => {
      const read = directusFormat.read(['users.json', 'roles.json', 'policies.json', 'access.json'].map(fixture).join('\n'))
      expect(read.problems).toEqual([])
      const source = comparableSource(read)
      expect(byEmail(source.users.filter((user) => ours.has(user.id ?? '')))).toEqual(byEmail(expected.users))
      expect(source.roles.filter((role) => sampleRoles.has(role.id ?? ''))).toEqual(
        [...expected.roles].sort((a, b) => a.name.localeCompare(b.name, 'en'))
      )
      // Directus's own Administrator role and its admin, read like any other.
      expect(read.roles.find((role) => role.name === 'Administrator')).toMatchObject({ adminAccess: true, appAccess: true })
      expect(read.users.find((user) => user.email === 'admin@example.org')).toMatchObject({ status: 'active', roles: [expect.any(String)] })
    })

    it('reads users.csv alone: ids, role ids, statuses, names, profile and tags', () => {
      const read = directusFormat.read(fixture('users.csv'))
      expect(read.problems).toEqual([])
      expect(read.roles).toEqual([])
      const source = comparableSource(read)
      expect(byEmail(source.users.filter((user) => ours.has(user.id ?? '')))).toEqual(byEmail(expected.users))
      const lines = fixture('users.csv').split('\n')
      for (const user of read.users) expect(lines[user.line - 1]).toContain(`"${user.id}"`)
    })

    it('reads the files one by one (users.csv beside the JSON collections), each entry with its own line', () => {
      const read = readDirectusFiles(['users.csv', 'roles.json', 'policies.json', 'access.json'].map(fixture))
      expect(read.problems).toEqual([])
      const source = comparableSource(read)
      expect(byEmail(source.users.filter((user) => ours.has(user.id ?? '')))).toEqual(byEmail(expected.users))
      expect(source.roles.filter((role) => sampleRoles.has(role.id ?? ''))).toEqual(
        [...expected.roles].sort((a, b) => a.name.localeCompare(b.name, 'en'))
      )
      const roleLines = fixture('roles.json').split('\n')
      for (const role of read.roles) expect(roleLines[role.line - 1]).toMatch(/^\t\{$/)
      expect(roleLines[read.roles[0]?.line ?? 0]).toContain(`"id": "${read.roles[0]?.id}"`)
    })

    it('reads roles.json without policies: roles by id and name, their access not said', () => {
      const read = directusFormat.read(fixture('users.json') + fixture('roles.json'))
      const readers = read.roles.find((role) => role.id === SAMPLE_ROLES[2]?.id)
      expect(readers).toMatchObject({
        ref: SAMPLE_ROLES[2]?.id,
        name: 'Leser 読者',
        icon: 'visibility',
        description: 'Read only, from the office'
      })
      expect(readers?.adminAccess).toBeUndefined()
      expect(read.users.find((user) => user.email === 'yamada@example.net')?.roles).toEqual([SAMPLE_ROLES[2]?.id])
    })

    it('recognises every export', () => {
      for (const name of ['users.json', 'users.csv', 'roles.json'])
        expect(directusFormat.recognise(fixture(name).slice(0, 1024)), name).toBe(true)
    })
  })

  it('reads an object keyed by collection, a { data } response, and users that bring their role', () => {
    const role = { id: 'r-1', name: 'Editors', icon: 'edit' }
    const keyed = directusFormat.read(
      JSON.stringify({ directus_roles: [role], directus_users: [{ id: 'u-1', email: 'a@example.org', role: 'r-1' }] })
    )
    expect(keyed.roles).toEqual([{ ref: 'r-1', id: 'r-1', name: 'Editors', icon: 'edit', line: 1 }])
    expect(keyed.users).toEqual([{ line: 1, id: 'u-1', email: 'a@example.org', roles: ['r-1'] }])

    const expanded = directusFormat.read(JSON.stringify({ data: [{ email: 'b@example.org', role: { id: 'r-2', name: 'Support' } }] }))
    expect(expanded.roles).toEqual([{ ref: 'r-2', id: 'r-2', name: 'Support', line: 1 }])
    expect(expanded.users[0]?.roles).toEqual(['r-2'])

    const csv = directusFormat.read('"email","role.name","tags","status"\n"c@example.org","Support","a,b","suspended"\n')
    expect(csv.users).toEqual([{ line: 2, id: null, email: 'c@example.org', roles: ['Support'], status: 'suspended', tags: ['a', 'b'] }])
    expect(csv.roles).toEqual([{ ref: 'Support', id: null, name: 'Support', line: 2 }])
  })

  it('reads Directus 10 roles, which kept their access themselves', () => {
    const read = directusFormat.read(
      JSON.stringify([
        {
          id: 'r-1',
          name: 'Old',
          icon: 'x',
          admin_access: true,
          app_access: true,
          ip_access: '10.0.0.1,10.0.0.2',
          enforce_tfa: false,
          users: []
        }
      ])
    )
    expect(read.roles[0]).toMatchObject({ adminAccess: true, appAccess: true, ipAccess: ['10.0.0.1', '10.0.0.2'], enforceTfa: false })
  })

  it('turns an unreadable entry into one problem with its line and reads the rest', () => {
    const text = [
      '[',
      '{"id":"u-1","email":"a@example.org","status":"active"},',
      '{"id":"u-2","status":"active"},',
      '"not a user",',
      '{"id":"u-3","email":"c@example.org","tags":{"not":"a list"}},',
      '{"id":"u-4","email":"d@example.org","status":"unverified"}',
      ']'
    ].join('\n')
    const read = directusFormat.read(text)
    expect(read.users.map((user) => [user.id, user.line, user.status])).toEqual([
      ['u-1', 2, 'active'],
      ['u-4', 6, 'unverified']
    ])
    expect(read.problems).toEqual([
      { line: 3, reason: 'A user without an email address' },
      { line: 4, reason: 'A user entry that is not a record' },
      { line: 5, reason: 'Tags that are neither a list nor text' }
    ])
  })

  it('keeps what came before a syntax error and reports the error once', () => {
    const read = directusFormat.read(
      '[\n{"id":"u-1","email":"a@example.org"},\n{"id":"u-2","email":"b@example.org",\n"first_name": oops},\n{"id":"u-3","email":"c@example.org"}\n]'
    )
    expect(read.users.map((user) => user.id)).toEqual(['u-1'])
    expect(read.problems).toEqual([{ line: 4, reason: expect.stringMatching(/^Not valid JSON/) }])
  })

  it('reports a broken CSV record and reads the others', () => {
    const read = directusFormat.read('"id","email"\n"u-1","a@example.org"\n"u-2","b@example.org\n')
    expect(read.users.map((user) => [user.id, user.line])).toEqual([['u-1', 2]])
    expect(read.problems).toHaveLength(1)
    expect(read.problems[0]?.reason).toMatch(/CSV/)
    expect(directusFormat.read('"id","name"\n"1","x"\n').problems).toEqual([
      { line: 1, reason: expect.stringMatching(/no "email" column/) }
    ])
  })

  it('does not take other formats for Directus', () => {
    expect(directusFormat.recognise(writeInBatches(directusFormat.writer(context), users, 4).slice(0, 1024))).toBe(true)
    expect(directusFormat.recognise('email,first_name,last_name,role,status\nann@example.org,Ann,Lee,Editors,active\n')).toBe(false)
    expect(directusFormat.recognise('{ "ifResourceExists": "SKIP", "roles": { "realm": [] }, "users": [] }')).toBe(false)
    expect(directusFormat.recognise('{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[]}')).toBe(false)
    expect(directusFormat.recognise('dn: uid=ann,ou=people,dc=example,dc=org\nobjectClass: inetOrgPerson\n')).toBe(false)
  })
})

describe('Directus round trip', () => {
  it('never fails a file: any text reads into users and problems without throwing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(() => directusFormat.read(text)).not.toThrow()
      }),
      { numRuns: 300 }
    )
  })

  it('reads an export cut anywhere into whole users only, each as written', () => {
    const whole = writeInBatches(directusFormat.writer(context), users, 3)
    const written = new Map(users.map((user) => [user.id, user]))
    fc.assert(
      fc.property(fc.nat({ max: whole.length }), (end) => {
        const read = directusFormat.read(whole.slice(0, end))
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

  it('writer → reader gives back the same users, roles, memberships, statuses, names and profile fields', () => {
    fc.assert(
      fc.property(directoryArbitrary, ({ roles, users: people, batch }) => {
        const read = directusFormat.read(writeInBatches(directusFormat.writer(sampleContext(NOW, roles)), people, batch))
        expect(read.problems).toEqual([])
        expect(comparableSource(read)).toEqual(expectedSource(roles, people))
      }),
      { numRuns: 200 }
    )
  })
})
