import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import SCIMMY from 'scimmy'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DirectoryInvite, DirectoryRole, DirectoryUser, HandoffContext, SourceDirectory } from '../../src-main/core/formats/handoff'
import {
  ROLEKEEPER_GROUP_EXTENSION,
  ROLEKEEPER_USER_EXTENSION,
  SCIM_BULK_REQUEST,
  SCIM_GROUP_SCHEMA,
  SCIM_USER_SCHEMA,
  scimFormat
} from '../../src-main/core/formats/scim'
import { USER_STATUSES } from '../../src-main/core/model'
import { formText } from '../helpers/handoff'

// ---------------------------------------------------------------------------------------------
// A directory to export

const INVITED_AT = '2026-11-20T09:30:00.000Z'
const EXPIRES_AT = '2026-11-27T09:30:00.000Z'

function role(fields: Partial<DirectoryRole> = {}): DirectoryRole {
  return {
    id: randomUUID(),
    name: 'Editors',
    icon: 'edit',
    description: null,
    adminAccess: false,
    appAccess: true,
    ipAccess: [],
    enforceTfa: false,
    ...fields
  }
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A pending invite with a token shaped as the app's (a compact EdDSA JWT); its signature is not checked here. */
function invite(fields: Partial<DirectoryInvite> = {}): DirectoryInvite {
  const jti = randomUUID()
  const token = `${base64url({ alg: 'EdDSA', kid: 'k1' })}.${base64url({ scope: 'invite', jti })}.${randomBytes(64).toString('base64url')}`
  return {
    token,
    link: `https://intranet.example.org/accept?token=${token}&email=someone%40example.org`,
    jti,
    invitedAt: INVITED_AT,
    expiresAt: EXPIRES_AT,
    expired: false,
    directusLink: null,
    ...fields
  }
}

function user(fields: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: randomUUID(),
    email: 'ann@example.org',
    firstName: 'Ann',
    lastName: 'Lee',
    status: 'active',
    roleId: null,
    title: null,
    location: null,
    description: null,
    tags: [],
    createdAt: INVITED_AT,
    invite: null,
    ...fields
  }
}

interface Directory {
  roles: DirectoryRole[]
  users: DirectoryUser[]
}

/** Every status, invites with and without a link, Public users, a role nobody holds, non-ASCII text. */
function sampleDirectory(): Directory {
  const admins = role({
    name: 'Administrators',
    icon: 'shield',
    description: 'Run the place',
    adminAccess: true,
    enforceTfa: true,
    ipAccess: ['10.0.0.0/8', '2001:db8::/32']
  })
  const editors = role({ name: 'Éditeurs «ü»', icon: 'edit' })
  const nobody = role({ name: 'Nobody yet', icon: 'person_off', appAccess: false })
  const users = [
    user({
      email: 'Ann.Admin@Example.org',
      firstName: 'Ann',
      lastName: 'Admin',
      roleId: admins.id,
      title: 'Head of IT',
      location: 'Zürich',
      description: 'Keeps the "keys"\nand the backups',
      tags: ['it', 'on-call']
    }),
    user({ email: 'björn@exämple.org', firstName: 'Björn', lastName: null, status: 'invited', roleId: editors.id, invite: invite() }),
    user({
      email: 'token.only@example.org',
      firstName: null,
      lastName: null,
      status: 'invited',
      roleId: editors.id,
      invite: invite({ link: null, expired: true })
    }),
    user({ email: 'dora@example.org', firstName: null, lastName: 'Draft', status: 'draft' }),
    user({ email: 'sam@example.org', firstName: 'Sam', lastName: 'Stopped', status: 'suspended', roleId: editors.id }),
    user({ email: 'arch@example.org', firstName: '李', lastName: '雷', status: 'archived', tags: ['left 2025'] })
  ]
  return { roles: [admins, editors, nobody], users }
}

function context(roles: readonly DirectoryRole[]): HandoffContext {
  return {
    roles,
    directoryId: `urn:rolekeeper:${randomUUID()}`,
    exportedAt: INVITED_AT,
    options: { baseDn: 'dc=example,dc=org', ifResourceExists: 'FAIL' }
  }
}

/** The file, written as the export writes it: users in batches, then the end. */
function exportText({ roles, users }: Directory, batchSize = 2): string {
  const writer = scimFormat.writer(context(roles))
  let text = writer.start()
  for (let at = 0; at < users.length; at += batchSize) text += writer.users(users.slice(at, at + batchSize))
  return text + writer.end()
}

type Resource = Record<string, unknown>
interface Operation {
  method: string
  path: string
  bulkId: string
  data: Resource
}

const operationsOf = (text: string): Operation[] => (JSON.parse(text) as { Operations: Operation[] }).Operations
const userExtensionOf = (data: Resource): Resource => data[ROLEKEEPER_USER_EXTENSION] as Resource
const groupExtensionOf = (data: Resource): Resource => data[ROLEKEEPER_GROUP_EXTENSION] as Resource

/** What the file says of the directory, in the export's own terms: roles by id. */
function asRead(directory: SourceDirectory): unknown {
  const roleIdOf = new Map(directory.roles.map((found) => [found.ref, found.id]))
  return {
    roles: directory.roles.map(({ ref: _ref, line: _line, ...found }) => found),
    users: directory.users.map(({ line: _line, roles, ...found }) => ({ ...found, roleIds: roles.map((ref) => roleIdOf.get(ref)) })),
    problems: directory.problems
  }
}

/** What a reader must find in the export of `directory`. */
function asWritten({ roles, users }: Directory): unknown {
  const exported = new Set(roles.map((written) => written.id))
  return {
    roles: roles.map(({ id, name, icon, description, adminAccess, appAccess, ipAccess, enforceTfa }) => ({
      id,
      name,
      icon,
      description,
      adminAccess,
      appAccess,
      ipAccess,
      enforceTfa
    })),
    users: users.map((written) => ({
      id: written.id,
      email: written.email,
      firstName: written.firstName,
      lastName: written.lastName,
      title: written.title,
      status: written.status,
      location: written.location,
      description: written.description,
      tags: written.tags,
      roleIds: written.roleId !== null && exported.has(written.roleId) ? [written.roleId] : []
    })),
    problems: []
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

describe('SCIM writer', () => {
  it('writes one BulkRequest: a POST /Users per user in order, then a POST /Groups per role, each with its own bulkId', () => {
    const directory = sampleDirectory()
    const text = exportText(directory)
    const request = JSON.parse(text) as Record<string, unknown>
    expect(request.schemas).toEqual([SCIM_BULK_REQUEST])
    // A bulk request is not a transaction: stopping at the first refusal would still leave half of it applied.
    expect(request).not.toHaveProperty('failOnErrors')
    const operations = operationsOf(text)
    expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toEqual([
      ...directory.users.map(() => 'POST /Users'),
      ...directory.roles.map(() => 'POST /Groups')
    ])
    expect(operations.map((operation) => operation.data.externalId)).toEqual([
      ...directory.users.map((written) => written.id),
      ...directory.roles.map((written) => written.id)
    ])
    expect(new Set(operations.map((operation) => operation.bulkId)).size).toBe(operations.length)
  })

  it('maps a user to core SCIM: the address as userName and primary work email, the id as externalId, names, title', () => {
    const directory = sampleDirectory()
    const [ann] = operationsOf(exportText(directory))
    expect(ann?.data).toStrictEqual({
      schemas: [SCIM_USER_SCHEMA, ROLEKEEPER_USER_EXTENSION],
      externalId: directory.users[0]?.id,
      userName: 'Ann.Admin@Example.org',
      name: { givenName: 'Ann', familyName: 'Admin', formatted: 'Ann Admin' },
      displayName: 'Ann Admin',
      emails: [{ value: 'Ann.Admin@Example.org', type: 'work', primary: true }],
      title: 'Head of IT',
      active: true,
      [ROLEKEEPER_USER_EXTENSION]: {
        status: 'active',
        location: 'Zürich',
        description: 'Keeps the "keys"\nand the backups',
        tags: ['it', 'on-call']
      }
    })
  })

  it('sets active only for active users; the exact status travels in the extension', () => {
    const users = USER_STATUSES.map((status, index) =>
      user({ email: `u${index}@example.org`, status, invite: status === 'invited' ? invite() : null })
    )
    const operations = operationsOf(exportText({ roles: [], users }))
    expect(operations.map((operation) => [userExtensionOf(operation.data).status, operation.data.active])).toEqual([
      ['draft', false],
      ['invited', false],
      ['active', true],
      ['suspended', false],
      ['archived', false]
    ])
  })

  it('carries the invite in the extension: link, token, jti, dates, expired; the token alone without a link template', () => {
    const directory = sampleDirectory()
    const [, bjorn, tokenOnly] = operationsOf(exportText(directory))
    const sent = directory.users[1]?.invite
    expect(userExtensionOf(bjorn?.data ?? {})).toStrictEqual({
      status: 'invited',
      inviteLink: sent?.link,
      inviteToken: sent?.token,
      inviteJti: sent?.jti,
      invitedAt: INVITED_AT,
      inviteExpiresAt: EXPIRES_AT,
      inviteExpired: false
    })
    const tokenOnlyExtension = userExtensionOf(tokenOnly?.data ?? {})
    expect(tokenOnlyExtension).not.toHaveProperty('inviteLink')
    expect(tokenOnlyExtension).toMatchObject({ inviteToken: directory.users[2]?.invite?.token, inviteExpired: true })
  })

  it('leaves out what a user does not have instead of writing null; a user with no name is displayed by address', () => {
    const directory = sampleDirectory()
    const text = exportText(directory)
    expect(text).not.toContain('null')
    const [, bjorn, tokenOnly, dora] = operationsOf(text)
    expect(bjorn?.data.name).toStrictEqual({ givenName: 'Björn', formatted: 'Björn' })
    expect(dora?.data.name).toStrictEqual({ familyName: 'Draft', formatted: 'Draft' })
    expect(tokenOnly?.data).not.toHaveProperty('name')
    expect(tokenOnly?.data.displayName).toBe('token.only@example.org')
    expect(dora?.data).not.toHaveProperty('title')
    expect(userExtensionOf(dora?.data ?? {})).toStrictEqual({ status: 'draft' })
  })

  it("writes a Group per role whose members are its users' bulkIds, across batches; Public users are in none", () => {
    const directory = sampleDirectory()
    const operations = operationsOf(exportText(directory, 1))
    const bulkIdOf = new Map(operations.map((operation) => [operation.data.externalId, operation.bulkId]))
    const [admins, editors, nobody] = operations.slice(directory.users.length)
    const membersOf = (id: string): unknown[] =>
      directory.users
        .filter((written) => written.roleId === id)
        .map((written) => ({ value: `bulkId:${bulkIdOf.get(written.id)}`, type: 'User' }))
    expect(admins?.data).toStrictEqual({
      schemas: [SCIM_GROUP_SCHEMA, ROLEKEEPER_GROUP_EXTENSION],
      externalId: directory.roles[0]?.id,
      displayName: 'Administrators',
      members: membersOf(directory.roles[0]?.id ?? ''),
      [ROLEKEEPER_GROUP_EXTENSION]: {
        icon: 'shield',
        description: 'Run the place',
        adminAccess: true,
        appAccess: true,
        ipAccess: ['10.0.0.0/8', '2001:db8::/32'],
        enforceTfa: true
      }
    })
    expect(editors?.data.members).toStrictEqual(membersOf(directory.roles[1]?.id ?? ''))
    expect(editors?.data.members).toHaveLength(3)
    // A Group with no members is a valid Group: the role still reaches the target.
    expect(nobody?.data).not.toHaveProperty('members')
    expect(groupExtensionOf(nobody?.data ?? {})).toStrictEqual({
      icon: 'person_off',
      adminAccess: false,
      appAccess: false,
      enforceTfa: false
    })
  })

  it('writes a user whose role is not among the exported roles as Public', () => {
    const exported = role()
    const elsewhere = user({ roleId: randomUUID() })
    const operations = operationsOf(exportText({ roles: [exported], users: [elsewhere] }))
    expect(operations[1]?.data).not.toHaveProperty('members')
  })

  it('gives valid JSON for an export with no users and no roles', () => {
    expect(JSON.parse(exportText({ roles: [], users: [] }))).toEqual({ schemas: [SCIM_BULK_REQUEST], Operations: [] })
  })

  it('says a SCIM service refuses no user and no role: userName is the unique address, a Group needs only a name', () => {
    const directory = sampleDirectory()
    expect(directory.users.map((written) => scimFormat.refuseUser(written))).toEqual(directory.users.map(() => null))
    expect(directory.roles.map((written) => scimFormat.refuseRole(written, 0))).toEqual(directory.roles.map(() => null))
  })
})

// ---------------------------------------------------------------------------------------------
// Reading

const listResponse = (resources: unknown[]): string =>
  JSON.stringify(
    { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: resources.length, Resources: resources },
    null,
    2
  )

const scimUser = (fields: Resource): Resource => ({ schemas: [SCIM_USER_SCHEMA], ...fields })
const scimGroup = (fields: Resource): Resource => ({ schemas: [SCIM_GROUP_SCHEMA], ...fields })

describe('SCIM reader', () => {
  it('reads its own export back, each user and role at the line its operation starts on', () => {
    const directory = sampleDirectory()
    const text = exportText(directory)
    const read = scimFormat.read(text)
    expect(asRead(read)).toStrictEqual(asWritten(directory))
    const lines = text.split('\n')
    for (const found of read.users) expect(lines[found.line - 1]).toContain(`"userName":${JSON.stringify(found.email)}`)
    for (const found of read.roles) expect(lines[found.line - 1]).toContain(`"displayName":${JSON.stringify(found.name)}`)
  })

  it('reads a file that is not JSON as one problem at line 1 that says where it breaks', () => {
    const broken = scimFormat.read('{\n  "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],\n  "Resources": [ oops ]\n}')
    expect(broken.users).toEqual([])
    expect(broken.problems).toHaveLength(1)
    expect(broken.problems[0]?.line).toBe(1)
    expect(broken.problems[0]?.reason).toBe('The file is not JSON: unexpected text "oops" at line 3, column 18')
    expect(scimFormat.read('').problems).toEqual([{ line: 1, reason: expect.stringMatching(/^The file is not JSON/) }])
  })

  it('reads JSON that is not a SCIM message as one problem', () => {
    for (const text of ['[1, 2]', '{"users": []}', '"text"']) {
      const read = scimFormat.read(text)
      expect(read.problems).toEqual([{ line: 1, reason: expect.stringContaining('not a SCIM') }])
      expect(read.users).toEqual([])
    }
  })

  it('reads a User with neither emails nor an address for userName as one problem at its line, and reads on', () => {
    const text = listResponse([
      scimUser({ id: '1', userName: 'kim@example.org' }),
      scimUser({ id: '2', userName: 'jdoe' }),
      scimUser({ id: '3' }),
      scimUser({ id: '4', userName: 'lee@example.org' })
    ])
    const read = scimFormat.read(text)
    expect(read.users.map((found) => found.email)).toEqual(['kim@example.org', 'lee@example.org'])
    expect(read.problems).toEqual([
      { line: 14, reason: 'User "jdoe" has no email address: neither emails nor a userName that is an address' },
      { line: 21, reason: 'A User has no email address: neither emails nor a userName that is an address' }
    ])
    expect(text.split('\n')[13]).toBe('    {')
    expect(text.split('\n')[20]).toBe('    {')
  })

  it('reads an entry that is not an object, or neither a User nor a Group, as a problem at its line', () => {
    const text = listResponse([42, { schemas: ['urn:example:Device'], id: 'd1' }, scimUser({ userName: 'ann@example.org' })])
    const read = scimFormat.read(text)
    const lines = text.split('\n')
    expect(read.problems.map((problem) => lines[problem.line - 1]?.trim())).toEqual(['42,', '{'])
    expect(read.problems.map((problem) => problem.reason)).toEqual([
      'A resource of the ListResponse is not an object',
      'A resource that is neither a User nor a Group: not read'
    ])
    expect(read.users.map((found) => [lines[found.line - 2]?.trim(), found.email])).toEqual([['},', 'ann@example.org']])
  })

  it('takes the primary email, else the first one, else a userName that is an address', () => {
    const read = scimFormat.read(
      listResponse([
        scimUser({
          userName: 'a-login',
          emails: [
            { value: 'home@example.org', type: 'home' },
            { value: ' work@example.org ', type: 'work', primary: true }
          ]
        }),
        scimUser({ userName: 'b@example.org', emails: [{ value: 'first@example.org' }, { value: 'second@example.org' }] }),
        scimUser({ userName: 'c@example.org', emails: [] })
      ])
    )
    expect(read.users.map((found) => found.email)).toEqual(['work@example.org', 'first@example.org', 'c@example.org'])
  })

  it("reads another service's Users: its ids are not Rolekeeper ids, a UUID externalId is, status follows active", () => {
    const ours = randomUUID()
    const read = scimFormat.read(
      listResponse([
        scimUser({ id: randomUUID(), externalId: ours, userName: 'a@example.org', active: true, name: { givenName: 'Ann' } }),
        scimUser({ id: randomUUID(), externalId: 'HR-0042', userName: 'b@example.org', active: false, title: 'Clerk' }),
        scimUser({ id: randomUUID(), userName: 'c@example.org' })
      ])
    )
    expect(read.users.map(({ line: _line, ...found }) => found)).toStrictEqual([
      { id: ours, email: 'a@example.org', roles: [], firstName: 'Ann', lastName: null, status: 'active' },
      { id: null, email: 'b@example.org', roles: [], title: 'Clerk', status: 'suspended' },
      // A service that says nothing of a field leaves it to the import to keep or default.
      { id: null, email: 'c@example.org', roles: [] }
    ])
  })

  it("reads a ListResponse's Groups: members point at User ids, User.groups counts too, roles come in file order", () => {
    const [ann, bob, cid] = [randomUUID(), randomUUID(), randomUUID()]
    const staffRole = randomUUID()
    const read = scimFormat.read(
      listResponse([
        scimUser({ id: ann, userName: 'ann@example.org', groups: [{ value: 'g-ops', display: 'Operations' }] }),
        scimUser({ id: bob, userName: 'bob@example.org', groups: [{ value: 'g-staff', display: 'Staff' }] }),
        scimUser({ id: cid, userName: 'cid@example.org', groups: [{ value: 'g-unnamed' }] }),
        scimGroup({ id: 'g-staff', externalId: staffRole, displayName: 'Staff', members: [{ value: ann, type: 'User' }] }),
        scimGroup({
          id: 'g-admins',
          displayName: 'Admins',
          members: [
            { value: bob, type: 'User' },
            { value: ann, type: 'User' },
            { value: 'g-staff', type: 'Group' },
            { value: 'someone-not-in-this-file', type: 'User' }
          ]
        })
      ])
    )
    expect(read.roles.map(({ ref, id, name }) => ({ ref, id, name }))).toEqual([
      { ref: 'g-staff', id: staffRole, name: 'Staff' },
      { ref: 'g-admins', id: null, name: 'Admins' },
      // Named only by a user's groups: the display name still makes it a role.
      { ref: 'g-ops', id: null, name: 'Operations' }
    ])
    expect(read.users.map((found) => [found.email, found.roles])).toEqual([
      ['ann@example.org', ['g-staff', 'g-admins', 'g-ops']],
      ['bob@example.org', ['g-staff', 'g-admins']],
      ['cid@example.org', []]
    ])
    expect(read.problems).toEqual([])
  })

  it('reads operations that carry no whole resource (DELETE, PATCH) as problems at their lines', () => {
    const text = [
      `{"schemas":["${SCIM_BULK_REQUEST}"],"Operations":[`,
      '{"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"ann@example.org"}},',
      '{"method":"DELETE","path":"/Users/2819c223"},',
      '{"method":"PATCH","path":"/Groups/abc","data":{"Operations":[]}},',
      '{"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Staff","members":[{"value":"bulkId:u1"}]}}',
      ']}'
    ].join('\n')
    const read = scimFormat.read(text)
    expect(read.users.map((found) => [found.line, found.email, found.roles])).toEqual([[2, 'ann@example.org', ['g1']]])
    expect(read.roles.map((found) => [found.line, found.name])).toEqual([[5, 'Staff']])
    expect(read.problems.map((problem) => problem.line)).toEqual([3, 4])
    expect(read.problems[0]?.reason).toContain('DELETE')
  })

  it('reads attribute names ignoring case, as SCIM defines them', () => {
    const read = scimFormat.read(
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:listresponse'],
        resources: [{ Schemas: [SCIM_USER_SCHEMA], USERNAME: 'x', Emails: [{ Value: 'case@example.org', Primary: true }], Active: true }]
      })
    )
    expect(read.users.map((found) => [found.email, found.status])).toEqual([['case@example.org', 'active']])
  })

  it('recognises SCIM ListResponses and BulkRequests from their first kilobytes, and nothing else', () => {
    const head = (text: string): string => text.slice(0, 1024)
    expect(scimFormat.recognise(head(exportText(sampleDirectory())))).toBe(true)
    expect(scimFormat.recognise(head(listResponse([scimUser({ userName: 'a@example.org' })])))).toBe(true)
    expect(scimFormat.recognise('\uFEFF' + head(listResponse([])))).toBe(true)
    expect(scimFormat.recognise('email,first_name\nann@example.org,Ann')).toBe(false)
    expect(scimFormat.recognise('[{"email":"ann@example.org"}]')).toBe(false)
    expect(scimFormat.recognise('{"realm":"acme","users":[{"username":"ann","email":"ann@example.org"}]}')).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// Round trip

// Names, titles and the like as the store keeps them: trimmed, never blank (a blank role name cannot exist).
const text = formText
const optionalText = (maxLength: number): fc.Arbitrary<string | null> => fc.option(text(maxLength), { nil: null })
const isoDate = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString())

const roleArbitrary: fc.Arbitrary<DirectoryRole> = fc.record({
  id: fc.uuid(),
  name: text(100),
  icon: fc.constantFrom('supervised_user_circle', 'shield', 'edit', 'badge'),
  description: optionalText(300),
  adminAccess: fc.boolean(),
  appAccess: fc.boolean(),
  ipAccess: fc.array(
    fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4().map((address) => `${address}/24`)
    ),
    { maxLength: 3 }
  ),
  enforceTfa: fc.boolean()
})

const inviteArbitrary: fc.Arbitrary<DirectoryInvite> = fc.record({
  token: fc.base64String({ minLength: 40, maxLength: 120 }).map((token) => token.replaceAll('+', '-').replaceAll('/', '_')),
  link: fc.option(fc.webUrl({ withQueryParameters: true }), { nil: null }),
  jti: fc.uuid(),
  invitedAt: isoDate,
  expiresAt: isoDate,
  expired: fc.boolean(),
  directusLink: fc.constant(null)
})

function userArbitrary(roles: readonly DirectoryRole[]): fc.Arbitrary<DirectoryUser> {
  return fc
    .record({
      id: fc.uuid(),
      local: text(20),
      firstName: optionalText(50),
      lastName: optionalText(50),
      status: fc.constantFrom(...USER_STATUSES),
      roleId: roles.length === 0 ? fc.constant(null) : fc.option(fc.constantFrom(...roles.map((held) => held.id)), { nil: null }),
      title: optionalText(80),
      location: optionalText(80),
      description: optionalText(300),
      tags: fc.array(text(20), { maxLength: 4 }),
      createdAt: isoDate,
      invite: inviteArbitrary
    })
    .map(({ local, invite: sent, ...fields }) => ({
      ...fields,
      email: local,
      invite: fields.status === 'invited' ? sent : null
    }))
}

const directoryArbitrary: fc.Arbitrary<Directory & { batchSize: number }> = fc
  .uniqueArray(roleArbitrary, { selector: (written) => written.id, maxLength: 4 })
  .chain((roles) =>
    fc.record({
      roles: fc.constant(roles),
      // Addresses are unique in a directory and stored trimmed: the index makes them unique.
      users: fc
        .uniqueArray(userArbitrary(roles), { selector: (written) => written.id, maxLength: 25 })
        .map((users) => users.map((written, index) => ({ ...written, email: `${written.email.trim() || 'x'}.${index}@exämple.org` }))),
      batchSize: fc.integer({ min: 1, max: 7 })
    })
  )

describe('SCIM round trip', () => {
  it('reads back from any export the same users, roles, memberships, statuses, names and profile fields', () => {
    fc.assert(
      fc.property(directoryArbitrary, (directory) => {
        const text = exportText(directory, directory.batchSize)
        const read = scimFormat.read(text)
        expect(asRead(read)).toStrictEqual(asWritten(directory))
        // One operation per line after the opening one, whatever quotes and backslashes the values hold.
        expect([...read.users, ...read.roles].map((found) => found.line)).toEqual(
          [...directory.users, ...directory.roles].map((_written, index) => index + 2)
        )
        // The invite is not imported (a new one is made there), but the file must carry it whole for a verifier.
        const operations = operationsOf(text)
        directory.users.forEach((written, index) => {
          const extension = userExtensionOf(operations[index]?.data ?? {})
          const sent = written.invite
          const carried = {
            inviteLink: extension.inviteLink ?? null,
            inviteToken: extension.inviteToken,
            inviteJti: extension.inviteJti,
            invitedAt: extension.invitedAt,
            inviteExpiresAt: extension.inviteExpiresAt,
            inviteExpired: extension.inviteExpired
          }
          expect(carried).toStrictEqual(
            sent === null
              ? {
                  inviteLink: null,
                  inviteToken: undefined,
                  inviteJti: undefined,
                  invitedAt: undefined,
                  inviteExpiresAt: undefined,
                  inviteExpired: undefined
                }
              : {
                  inviteLink: sent.link,
                  inviteToken: sent.token,
                  inviteJti: sent.jti,
                  invitedAt: sent.invitedAt,
                  inviteExpiresAt: sent.expiresAt,
                  inviteExpired: sent.expired
                }
          )
        })
      }),
      { numRuns: 200 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// The real peer: SCIMMY, an independent implementation of RFC 7643/7644

const { Attribute, SchemaDefinition } = SCIMMY.Types

const userExtensionSchema = new SchemaDefinition('RolekeeperUser', ROLEKEEPER_USER_EXTENSION, 'What Rolekeeper knows of a user', [
  new Attribute('string', 'status', { required: true, canonicalValues: [...USER_STATUSES], caseExact: true }),
  new Attribute('string', 'location'),
  new Attribute('string', 'description'),
  new Attribute('string', 'tags', { multiValued: true }),
  new Attribute('reference', 'inviteLink', { referenceTypes: ['external'] }),
  new Attribute('string', 'inviteToken', { caseExact: true }),
  new Attribute('string', 'inviteJti', { caseExact: true }),
  new Attribute('dateTime', 'invitedAt'),
  new Attribute('dateTime', 'inviteExpiresAt'),
  new Attribute('boolean', 'inviteExpired')
])

const groupExtensionSchema = new SchemaDefinition('RolekeeperGroup', ROLEKEEPER_GROUP_EXTENSION, 'What Rolekeeper knows of a role', [
  new Attribute('string', 'icon'),
  new Attribute('string', 'description'),
  new Attribute('boolean', 'adminAccess'),
  new Attribute('boolean', 'appAccess'),
  new Attribute('string', 'ipAccess', { multiValued: true }),
  new Attribute('boolean', 'enforceTfa')
])

class RolekeeperUser extends SCIMMY.Types.Schema {
  static override readonly id = ROLEKEEPER_USER_EXTENSION
  static override readonly definition = userExtensionSchema
}

class RolekeeperGroup extends SCIMMY.Types.Schema {
  static override readonly id = ROLEKEEPER_GROUP_EXTENSION
  static override readonly definition = groupExtensionSchema
}

/** A resource as a service stores it: what SCIMMY's schema let in, and the id the service gave it. */
type Stored<S extends SCIMMY.Types.Schema> = Omit<S, SCIMMY.Types.Schema.ShadowAttributes> & { id: string }
type StoredUser = Stored<SCIMMY.Schemas.User>
type StoredGroup = Stored<SCIMMY.Schemas.Group>

/** A resource as SCIMMY coerced it, as plain JSON. */
const plain = (resource: unknown): Resource => JSON.parse(JSON.stringify(resource)) as Resource

/** The parts of a BulkRequest body the service looks at itself. */
interface BulkBody {
  Operations?: { method?: string; bulkId?: string; data?: { userName?: string } }[]
}

/** In-memory storage behind SCIMMY's resource handlers, as a small service would keep it. */
function memoryStore<S extends SCIMMY.Types.Schema>(
  kind: string,
  rules: { unique?: (resource: Stored<S>) => string; prepare?: (resource: Stored<S>, request: BulkBody | undefined) => Stored<S> } = {}
) {
  const records = new Map<string, Stored<S>>()
  return {
    records,
    ingress(resource: SCIMMY.Types.Resource, instance: S, request?: BulkBody): Stored<S> {
      const { schemas: _schemas, meta: _meta, ...fields } = plain(instance)
      const coerced = { ...fields, id: resource.id ?? randomUUID() } as Stored<S> // SCIMMY coerced it to the schema of S
      const record = rules.prepare?.(coerced, request) ?? coerced
      const key = rules.unique?.(record)
      if (key !== undefined && [...records.values()].some((other) => other.id !== record.id && rules.unique?.(other) === key)) {
        throw new SCIMMY.Types.Error(409, 'uniqueness', `A ${kind} with that name already exists`)
      }
      records.set(record.id, record)
      return record
    },
    egress(resource: SCIMMY.Types.Resource): Stored<S> | Stored<S>[] {
      if (resource.id === undefined) return [...records.values()]
      const found = records.get(resource.id)
      if (found === undefined) throw new SCIMMY.Types.Error(404, '', `No ${kind} ${resource.id}`)
      return found
    },
    degress(resource: SCIMMY.Types.Resource): void {
      if (resource.id !== undefined) records.delete(resource.id)
    }
  }
}

const userStore = memoryStore<SCIMMY.Schemas.User>('User', { unique: (resource) => resource.userName.toLowerCase() })

/**
 * SCIMMY 1.3.5 resolves only the last of the bulkIds one operation refers to (BulkRequest.apply
 * starts again from the operation's original data for each one), so a Group of several new users
 * keeps "bulkId:…" values for all but one. The service resolves what SCIMMY left, through the
 * userName of the POST /Users that the bulkId names: the file itself is as RFC 7644 §3.7.2 has it.
 */
function resolveLeftBulkIds(group: StoredGroup, request: BulkBody | undefined): StoredGroup {
  const members = group.members?.map((member) => {
    if (!member.value.startsWith('bulkId:')) return member
    const bulkId = member.value.slice('bulkId:'.length)
    const userName = request?.Operations?.find((operation) => operation.method === 'POST' && operation.bulkId === bulkId)?.data?.userName
    const created = [...userStore.records.values()].find((stored) => stored.userName === userName)
    if (created === undefined) throw new SCIMMY.Types.Error(412, '', `Operation ${bulkId} created no user`)
    return { ...member, value: created.id }
  })
  return members === undefined ? group : { ...group, members }
}

const groupStore = memoryStore<SCIMMY.Schemas.Group>('Group', { prepare: resolveLeftBulkIds })

/** A User as the service returns it: with the groups that list it, as SCIM services do. */
function withGroups(stored: StoredUser): StoredUser {
  const groups = [...groupStore.records.values()]
    .filter((group) => group.members?.some((member) => member.value === stored.id))
    .map((group) => ({ value: group.id, display: group.displayName, type: 'direct' }))
  return groups.length === 0 ? stored : { ...stored, groups }
}

const MAX_OPERATIONS = 1000

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/scim+json' })
  response.end(JSON.stringify(body))
}

/** POST /Bulk, GET /Users[/id], GET /Groups[/id]: enough of a SCIM service to take a hand-off. */
async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  const [, endpoint, id] = url.pathname.split('/')
  try {
    if (request.method === 'POST' && endpoint === 'Bulk') {
      const body = JSON.parse(await bodyOf(request)) as ConstructorParameters<typeof SCIMMY.Messages.BulkRequest>[0] // checked by SCIMMY
      const message = new SCIMMY.Messages.BulkRequest(body, MAX_OPERATIONS)
      // The body goes along as context: the handlers see it as their `ctx`.
      return send(response, 200, await message.apply(Object.values(SCIMMY.Resources.declared()), body))
    }
    if (request.method === 'GET' && (endpoint === 'Users' || endpoint === 'Groups')) {
      const Resource = endpoint === 'Users' ? SCIMMY.Resources.User : SCIMMY.Resources.Group
      return send(response, 200, await new Resource(id, { count: Number(url.searchParams.get('count') ?? MAX_OPERATIONS) }).read())
    }
    return send(response, 404, new SCIMMY.Messages.ErrorResponse({ status: 404, detail: `No ${request.method} ${url.pathname} here` }))
  } catch (error) {
    const answer = new SCIMMY.Messages.ErrorResponse(error instanceof SCIMMY.Types.Error ? error : { status: 400, detail: String(error) })
    return send(response, Number(answer.status), answer)
  }
}

describe('SCIM with SCIMMY, an independent implementation', () => {
  let server: Server
  let origin = ''

  beforeAll(async () => {
    SCIMMY.Schemas.declare(userExtensionSchema)
    SCIMMY.Schemas.declare(groupExtensionSchema)
    SCIMMY.Config.set('bulk', { supported: true, maxOperations: MAX_OPERATIONS, maxPayloadSize: 10_485_760 })
    SCIMMY.Resources.declare(
      SCIMMY.Resources.User.extend(RolekeeperUser, false)
        .ingress((resource, instance, request?: BulkBody) => userStore.ingress(resource, instance, request))
        .egress((resource) => {
          const found = userStore.egress(resource)
          return Array.isArray(found) ? found.map(withGroups) : withGroups(found)
        })
        .degress((resource) => userStore.degress(resource))
    )
    SCIMMY.Resources.declare(
      SCIMMY.Resources.Group.extend(RolekeeperGroup, false)
        .ingress((resource, instance, request?: BulkBody) => groupStore.ingress(resource, instance, request))
        .egress((resource) => groupStore.egress(resource))
        .degress((resource) => groupStore.degress(resource))
    )
    server = createServer((request, response) => void serve(request, response))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}` // listening on TCP: an AddressInfo
    SCIMMY.Resources.User.basepath(origin)
    SCIMMY.Resources.Group.basepath(origin)
  })

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  })

  beforeEach(() => {
    userStore.records.clear()
    groupStore.records.clear()
  })

  /** Each resource of an export, coerced inbound by SCIMMY's User or Group schema, with its extension. */
  function coerced(text: string): { sent: Resource; accepted: Resource }[] {
    return operationsOf(text).map((operation) => {
      const accepted = plain(
        operation.path === '/Users' ? new SCIMMY.Schemas.User(operation.data, 'in') : new SCIMMY.Schemas.Group(operation.data, 'in')
      )
      delete accepted.meta // SCIMMY adds meta.resourceType
      return { sent: operation.data, accepted }
    })
  }

  it("passes every User and Group of an export through SCIMMY's schema definitions unchanged", () => {
    const text = exportText(sampleDirectory())
    for (const { sent, accepted } of coerced(text)) expect(accepted).toStrictEqual(sent)
    // SCIMMY keeps only attributes its schemas declare, so "unchanged" means every attribute is known to it.
    const [ann] = operationsOf(text)
    expect(plain(new SCIMMY.Schemas.User({ ...ann?.data, favouriteColour: 'teal' }, 'in'))).not.toHaveProperty('favouriteColour')
    expect(() => new SCIMMY.Schemas.User({ ...ann?.data, [ROLEKEEPER_USER_EXTENSION]: { status: 'retired' } }, 'in')).toThrow(/canonical/)
  })

  it("passes any export's resources through SCIMMY's schema definitions unchanged (fast-check)", () => {
    fc.assert(
      fc.property(directoryArbitrary, (directory) => {
        for (const { sent, accepted } of coerced(exportText(directory, directory.batchSize))) expect(accepted).toStrictEqual(sent)
      }),
      { numRuns: 50 }
    )
  })

  it('has a SCIMMY service accept the exported BulkRequest as it is, and give the users and groups back over GET', async () => {
    const directory = sampleDirectory()
    const posted = await fetch(`${origin}/Bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/scim+json' },
      body: exportText(directory)
    })
    expect(posted.status).toBe(200)
    const bulk = (await posted.json()) as { schemas: string[]; Operations: { status: string; bulkId: string; location?: string }[] }
    expect(bulk.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse'])
    expect(bulk.Operations.map((result) => result.status)).toEqual([...directory.users, ...directory.roles].map(() => '201'))

    const users = (await (await fetch(`${origin}/Users`)).json()) as { totalResults: number; Resources: StoredUser[] }
    expect(users.totalResults).toBe(directory.users.length)
    const serviceIdOf = new Map(users.Resources.map((found) => [found.externalId, found.id]))
    expect(users.Resources.map(({ externalId, userName, active }) => ({ externalId, userName, active }))).toEqual(
      directory.users.map((written) => ({ externalId: written.id, userName: written.email, active: written.status === 'active' }))
    )
    const one = (await (await fetch(`${origin}/Users/${serviceIdOf.get(directory.users[1]?.id)}`)).json()) as Resource
    expect(one[ROLEKEEPER_USER_EXTENSION]).toMatchObject({ status: 'invited', inviteJti: directory.users[1]?.invite?.jti })

    const groups = (await (await fetch(`${origin}/Groups`)).json()) as { Resources: StoredGroup[] }
    // Each bulkId became the id the service gave that user (SCIMMY resolves one per Group: see resolveLeftBulkIds).
    const membersOf = (group: StoredGroup): unknown[] => (group.members ?? []).map(({ value, type }) => ({ value, type }))
    expect(
      groups.Resources.map((group) => ({ externalId: group.externalId, displayName: group.displayName, members: membersOf(group) }))
    ).toEqual(
      directory.roles.map((written) => ({
        externalId: written.id,
        displayName: written.name,
        members: directory.users
          .filter((member) => member.roleId === written.id)
          .map((member) => ({ value: serviceIdOf.get(member.id), type: 'User' }))
      }))
    )
  })

  it('reads back a ListResponse that SCIMMY builds from the stored resources as the directory that was exported', async () => {
    const directory = sampleDirectory()
    const posted = await fetch(`${origin}/Bulk`, { method: 'POST', body: exportText(directory) })
    expect(posted.status).toBe(200)
    const users = (await new SCIMMY.Resources.User(undefined, { count: MAX_OPERATIONS }).read()) as SCIMMY.Messages.ListResponse
    const groups = (await new SCIMMY.Resources.Group(undefined, { count: MAX_OPERATIONS }).read()) as SCIMMY.Messages.ListResponse
    const resources = [...users.Resources, ...groups.Resources]
    const file = JSON.stringify(new SCIMMY.Messages.ListResponse(resources, { count: resources.length }), null, 2)

    const read = scimFormat.read(file)
    expect(asRead(read)).toStrictEqual(asWritten(directory))
    // Roles are referred to by the service's Group ids, which both members and User.groups carry.
    expect(read.roles.map((found) => found.ref)).toEqual(groups.Resources.map((group) => group.id))
    const lines = file.split('\n')
    read.users.forEach((found, index) => {
      expect(lines[found.line - 1]).toBe('    {')
      const next = read.users[index + 1]?.line ?? read.roles[0]?.line ?? lines.length
      expect(lines.slice(found.line, next).join('\n')).toContain(`"externalId": "${found.id}"`)
    })
  })
})
