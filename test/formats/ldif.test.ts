import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DirectoryRole, DirectoryUser, SourceDirectory } from '../../src-main/core/formats/handoff'
import { escapeDnValue, ldifBaseDnProblem, ldifFormat, parseDn } from '../../src-main/core/formats/ldif'
import { DEFAULT_ROLE_ICON, USER_STATUSES } from '../../src-main/core/model'
import { startSlapd, type Slapd } from '../helpers/slapd'

// ---------------------------------------------------------------------------------------------
// Building directories and comparing what comes back

let serial = 0
const nextId = (): string => {
  serial += 1
  return `00000000-0000-4000-8000-${serial.toString(16).padStart(12, '0')}`
}

function role(fields: Partial<DirectoryRole> = {}): DirectoryRole {
  return {
    id: nextId(),
    name: 'Editors',
    icon: DEFAULT_ROLE_ICON,
    description: null,
    adminAccess: false,
    appAccess: true,
    ipAccess: [],
    enforceTfa: false,
    ...fields
  }
}

function user(fields: Partial<DirectoryUser> = {}): DirectoryUser {
  const id = fields.id ?? nextId()
  return {
    id,
    email: `user-${id.slice(-4)}@example.org`,
    firstName: null,
    lastName: null,
    status: 'active',
    roleId: null,
    title: null,
    location: null,
    description: null,
    tags: [],
    createdAt: '2025-01-02T03:04:05.000Z',
    invite: null,
    ...fields
  }
}

const BASE = 'dc=example,dc=org'

function exportLdif(roles: readonly DirectoryRole[], users: readonly DirectoryUser[], options: { baseDn?: string; batch?: number } = {}) {
  const writer = ldifFormat.writer({
    roles,
    directoryId: 'urn:rolekeeper:3b0f6f9e-8d4c-4f7e-9a51-2f1c0d9e8b7a',
    exportedAt: '2025-06-01T12:00:00.000Z',
    options: { baseDn: options.baseDn ?? BASE, ifResourceExists: 'FAIL' }
  })
  const batch = options.batch ?? 1000
  let text = writer.start()
  for (let at = 0; at < users.length; at += batch) text += writer.users(users.slice(at, at + batch))
  return text + writer.end()
}

/** What a user would check after an import: who, with which fields, in which roles (by id). */
function summary(directory: SourceDirectory) {
  const roleIdByRef = new Map(directory.roles.map((source) => [source.ref, source.id]))
  return {
    problems: directory.problems,
    roles: directory.roles.map(({ ref: _ref, line: _line, ...fields }) => fields),
    users: directory.users.map(({ line: _line, roles, ...fields }) => ({ ...fields, roles: roles.map((ref) => roleIdByRef.get(ref)) }))
  }
}

/** The same shape, from what was exported: every role, members or not. */
function expected(roles: readonly DirectoryRole[], users: readonly DirectoryUser[]) {
  const carried = new Set(roles.map((r) => r.id))
  return {
    problems: [],
    roles: roles.map((r) => ({
      id: r.id,
      name: r.name,
      icon: r.icon,
      description: r.description,
      adminAccess: r.adminAccess,
      appAccess: r.appAccess,
      ipAccess: r.ipAccess,
      enforceTfa: r.enforceTfa
    })),
    users: users.map((u) => ({
      id: u.id,
      email: u.email,
      firstName: u.firstName,
      lastName: u.lastName,
      status: u.status,
      title: u.title,
      location: u.location,
      description: u.description,
      tags: u.tags,
      roles: u.roleId !== null && carried.has(u.roleId) ? [u.roleId] : []
    }))
  }
}

/** The value lines of one attribute in an LDIF text (unfolded), as written. */
function valueLines(text: string, type: string): string[] {
  const unfolded = text.replace(/\r?\n /g, '')
  return unfolded.split('\n').filter((l) => l.startsWith(`${type}:`))
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

// ---------------------------------------------------------------------------------------------
// Writer

describe('LDIF writer', () => {
  it('writes the units, an inetOrgPerson per user and a groupOfNames per role under the base DN', () => {
    const editors = role({ id: '11111111-1111-4111-8111-111111111111', name: 'Editors', description: 'They edit' })
    const ann = user({
      id: '22222222-2222-4222-8222-222222222222',
      email: 'ann@example.org',
      firstName: 'Ann',
      lastName: 'Lee',
      roleId: editors.id,
      title: 'Editor',
      location: 'Oslo',
      description: 'Writes things',
      tags: ['north', 'VIP']
    })
    const text = exportLdif([editors], [ann])
    expect(text.split('\n\n').slice(1).join('\n\n')).toBe(
      [
        'dn: ou=people,dc=example,dc=org',
        'objectClass: top',
        'objectClass: organizationalUnit',
        'ou: people',
        '',
        'dn: ou=groups,dc=example,dc=org',
        'objectClass: top',
        'objectClass: organizationalUnit',
        'ou: groups',
        '',
        'dn: uid=22222222-2222-4222-8222-222222222222,ou=people,dc=example,dc=org',
        'objectClass: top',
        'objectClass: person',
        'objectClass: organizationalPerson',
        'objectClass: inetOrgPerson',
        'uid: 22222222-2222-4222-8222-222222222222',
        'cn: Ann Lee',
        'sn: Lee',
        'givenName: Ann',
        'mail: ann@example.org',
        'employeeType: active',
        'title: Editor',
        'l: Oslo',
        'description: Writes things',
        'businessCategory: north',
        'businessCategory: VIP',
        '',
        'dn: cn=Editors,ou=groups,dc=example,dc=org',
        'objectClass: top',
        'objectClass: groupOfNames',
        'objectClass: uidObject',
        'cn: Editors',
        'uid: 11111111-1111-4111-8111-111111111111',
        'description: They edit',
        'businessCategory: icon=supervised_user_circle',
        'businessCategory: adminAccess=FALSE',
        'businessCategory: appAccess=TRUE',
        'businessCategory: enforceTfa=FALSE',
        'member: uid=22222222-2222-4222-8222-222222222222,ou=people,dc=example,dc=org',
        '',
        ''
      ].join('\n')
    )
    expect(text.startsWith('version: 1\n#')).toBe(true)
  })

  it.each([
    [' leading space', true],
    [':colon first', true],
    ['<angle first', true],
    ['trailing space ', true],
    ['Zoë', true],
    ['two\nlines', true],
    ['carriage\rreturn', true],
    ['nul\0inside', true],
    ['plain text', false],
    ['inner: colon', false],
    ['a<b', false],
    ['#hash first', false],
    ['-dash first', false]
  ])('writes %j base64-encoded: %s', (title, encoded) => {
    const text = exportLdif([], [user({ title })])
    expect(valueLines(text, 'title')).toEqual([encoded ? `title:: ${b64(title)}` : `title: ${title}`])
    expect(ldifFormat.read(text).users[0]?.title).toBe(title)
  })

  it('folds lines longer than 76 characters, and the reader joins them again', () => {
    const description = 'A long description that goes on, '.repeat(12)
    const email = `${'x'.repeat(70)}@example.org`
    const text = exportLdif([], [user({ description, email })])
    const lines = text.split('\n')
    expect(Math.max(...lines.map((l) => l.length))).toBe(76)
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(3)
    expect(ldifFormat.read(text).users[0]).toMatchObject({ description, email })
  })

  it('escapes role names in group DNs per RFC 4514', () => {
    const names = ['Sales, EMEA', '#1 team', 'a+b', 'x=y', 'back\\slash', 'say "hi"', '<tag>', 'semi;colon', 'nul\0', 'Équipe ☕']
    const roles = names.map((name) => role({ name }))
    const text = exportLdif(
      roles,
      roles.map((r) => user({ roleId: r.id }))
    )
    const dns = valueLines(text, 'dn')
      .slice(2 + roles.length)
      .map((l) => (l.startsWith('dn:: ') ? Buffer.from(l.slice(5), 'base64').toString('utf8') : l.slice(4)))
    expect(dns.map((dn) => dn.slice(0, dn.indexOf(',ou=groups')))).toEqual([
      'cn=Sales\\, EMEA',
      'cn=\\#1 team',
      'cn=a\\+b',
      'cn=x\\=y',
      'cn=back\\\\slash',
      'cn=say \\"hi\\"',
      'cn=\\<tag\\>',
      'cn=semi\\;colon',
      'cn=nul\\00',
      'cn=Équipe ☕'
    ])
    expect(dns.map((dn) => parseDn(dn)?.[0]?.[0]?.value)).toEqual(names)
    expect(escapeDnValue(' both ')).toBe('\\ both\\ ')
    expect(escapeDnValue(' ')).toBe('\\ ')
  })

  it('gives a role whose name LDAP compares equal to an earlier one its id in the DN, and both come back', () => {
    const ops = role({ name: 'Ops' })
    const shouting = role({ name: 'OPS' })
    const spaced = role({ name: 'o  ps' })
    const users = [user({ roleId: ops.id }), user({ roleId: shouting.id }), user({ roleId: spaced.id })]
    const text = exportLdif([ops, shouting, spaced], users)
    expect(valueLines(text, 'dn').slice(-3)).toEqual([
      `dn: cn=Ops,ou=groups,${BASE}`,
      `dn: cn=OPS+uid=${shouting.id},ou=groups,${BASE}`,
      `dn: cn=o  ps,ou=groups,${BASE}`
    ])
    expect(summary(ldifFormat.read(text))).toEqual(expected([ops, shouting, spaced], users))
  })

  it('writes a role without members as a group whose one member is the empty DN, read back with no members', () => {
    const empty = role({ name: 'Nobody here' })
    const text = exportLdif([empty], [user()])
    expect(text).toMatch(/^dn: cn=Nobody here,ou=groups,dc=example,dc=org\n(?:.+\n)*member:\n/m)
    expect(ldifFormat.refuseRole(empty, 0)).toBeNull()
    const read = ldifFormat.read(text)
    expect(read.roles.map((r) => r.name)).toEqual(['Nobody here'])
    expect(read.users.every((u) => u.roles.length === 0)).toBe(true)
  })

  it('puts Public users and users of roles outside the file in no group', () => {
    const kept = role({ name: 'Kept' })
    const member = user({ roleId: kept.id })
    const publicUser = user({ roleId: null })
    const elsewhere = user({ roleId: nextId() })
    const text = exportLdif([kept], [member, publicUser, elsewhere])
    expect(valueLines(text, 'member')).toEqual([`member: uid=${member.id},ou=people,${BASE}`])
    expect(ldifFormat.read(text).users.map((u) => u.roles.length)).toEqual([1, 0, 0])
  })

  it('streams: each batch of users comes out as whole entries, groups only at the end', () => {
    const team = role({ name: 'Team' })
    const users = [user({ roleId: team.id }), user({ roleId: team.id }), user()]
    const writer = ldifFormat.writer({
      roles: [team],
      directoryId: 'urn:rolekeeper:x',
      exportedAt: '2025-06-01T12:00:00.000Z',
      options: { baseDn: BASE, ifResourceExists: 'FAIL' }
    })
    const start = writer.start()
    const first = writer.users(users.slice(0, 2))
    const second = writer.users(users.slice(2))
    const end = writer.end()
    expect(valueLines(first, 'dn')).toEqual(users.slice(0, 2).map((u) => `dn: uid=${u.id},ou=people,${BASE}`))
    expect(first.endsWith('\n\n')).toBe(true)
    expect(valueLines(second, 'dn')).toEqual([`dn: uid=${users[2]?.id},ou=people,${BASE}`])
    expect(valueLines(end, 'member')).toHaveLength(2)
    expect(valueLines(start + first + second, 'member')).toEqual([])
  })

  it.each([
    ['both names', 'Ann', 'Lee', 'cn: Ann Lee', 'sn: Lee'],
    ['a first name only', 'Cher', null, 'cn: Cher', 'sn: Cher'],
    ['a last name only', null, 'Lee', 'cn: Lee', 'sn: Lee'],
    ['no name', null, null, 'cn: nameless@example.org', 'sn: <uid>'],
    ['a last name equal to the first', 'Sam', 'Sam', 'cn: Sam Sam', 'sn: Sam'],
    ['a last name equal to the email', null, 'nameless@example.org', 'cn: nameless@example.org', 'sn: nameless@example.org']
  ])('fills the required sn and cn for %s, and the reader undoes it', (_case, firstName, lastName, cn, sn) => {
    const person = user({ email: 'nameless@example.org', firstName, lastName })
    const text = exportLdif([], [person])
    expect(valueLines(text, 'cn')).toEqual([cn])
    expect(valueLines(text, 'sn')).toEqual([sn.replace('<uid>', person.id)])
    expect(ldifFormat.read(text).users[0]).toMatchObject({ firstName, lastName })
  })

  it('writes no invite token, link or nonce: a directory is read by many', () => {
    const invited = user({
      status: 'invited',
      invite: {
        token: 'eyJhbGciOiJFZERTQSJ9.secret-claims.signature',
        link: 'https://intranet.example.org/accept?token=eyJhbGciOiJFZERTQSJ9.secret-claims.signature',
        jti: 'nonce-7f3a',
        invitedAt: '2025-06-01T00:00:00.000Z',
        expiresAt: '2025-06-08T00:00:00.000Z',
        expired: false,
        directusLink: null
      }
    })
    const text = exportLdif([], [invited])
    expect(text).not.toContain('secret-claims')
    expect(text).not.toContain('nonce-7f3a')
    expect(valueLines(text, 'employeeType')).toEqual(['employeeType: invited'])
  })

  it('refuses users whose address is not ASCII, or whose tags LDAP would see as one', () => {
    expect(ldifFormat.refuseUser(user({ email: 'zoë@example.org' }))).toMatch(/ASCII/)
    expect(ldifFormat.refuseUser(user({ email: 'ann@bücher.de' }))).toMatch(/ASCII/)
    expect(ldifFormat.refuseUser(user({ tags: ['VIP', 'vip'] }))).toMatch(/"VIP" and "vip"/)
    expect(ldifFormat.refuseUser(user({ tags: ['a  b', 'a b'] }))).toMatch(/case or spacing/)
    expect(ldifFormat.refuseUser(user({ email: 'ann+tag@xn--bcher-kva.de', tags: ['VIP', 'VIP2', 'Zoë'] }))).toBeNull()
  })

  it('checks a base DN before an export', () => {
    expect(ldifBaseDnProblem('dc=example,dc=org')).toBeNull()
    expect(ldifBaseDnProblem('o=Bücher\\, Gruber & Co,c=AT')).toBeNull()
    expect(ldifBaseDnProblem('')).toMatch(/needed/)
    expect(ldifBaseDnProblem('example.org')).toMatch(/not a distinguished name/)
  })
})

// ---------------------------------------------------------------------------------------------
// Reader

describe('LDIF reader', () => {
  it('recognises LDIF and nothing else', () => {
    expect(ldifFormat.recognise('version: 1\n\ndn: dc=example,dc=org\n')).toBe(true)
    expect(ldifFormat.recognise('\ufeff# made by slapcat\n# folded\n  comment\ndn: dc=example,dc=org\n')).toBe(true)
    expect(ldifFormat.recognise('dn:: Y249WsO2w6s=\nobjectClass: person\n')).toBe(true)
    expect(ldifFormat.recognise('email,first_name\nann@example.org,Ann\n')).toBe(false)
    expect(ldifFormat.recognise('{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]}')).toBe(false)
    expect(ldifFormat.recognise('')).toBe(false)
  })

  it('reads slapcat output: comments, folded lines, base64, CRLF, operational attributes, other classes ignored', () => {
    const text = [
      '# base entry',
      'dn: dc=example,dc=org',
      'objectClass: dcObject',
      'objectClass: organization',
      'dc: example',
      'o: Example',
      '',
      '# a user,',
      '  whose comment is folded',
      'dn: uid=jdoe,ou=People,dc=example,dc=org',
      'objectClass: inetOrgPerson',
      'uid: jdoe',
      'cn: John Doe',
      'sn: Doe',
      `givenName:: ${b64('Jöhn')}`,
      'mail: john.doe@exa',
      ' mple.org',
      'description: one long val',
      ' ue over three l',
      ' ines',
      'employeeType: Contractor',
      'structuralObjectClass: inetOrgPerson',
      'entryUUID: 0d7a4c1e-5b4a-103f-8f1e-6d2b9c1f0a11',
      'createTimestamp: 20250101000000Z',
      '',
      '',
      'dn: cn=Staff,ou=Groups,dc=example,dc=org',
      'objectClass: groupOfNames',
      'cn: Staff',
      'member: UID=jdoe, OU=people , dc=example,dc=org',
      ''
    ].join('\r\n')
    const directory = ldifFormat.read(text)
    expect(directory.problems).toEqual([])
    expect(directory.users).toEqual([
      {
        line: 10,
        id: null,
        email: 'john.doe@example.org',
        firstName: 'Jöhn',
        lastName: 'Doe',
        roles: ['cn=Staff,ou=Groups,dc=example,dc=org'],
        title: null,
        location: null,
        description: 'one long value over three lines',
        tags: []
      }
    ])
    expect(directory.roles).toEqual([{ ref: 'cn=Staff,ou=Groups,dc=example,dc=org', id: null, name: 'Staff', description: null, line: 27 }])
  })

  it('reads groupOfUniqueNames, uid suffixes and DNs written with other escapes and spacing', () => {
    const text = [
      'version: 1',
      'dn: uid=ann,ou=people,o=Acme\\2C Inc.',
      'objectClass: inetOrgPerson',
      'uid: ann',
      'sn: Ann',
      'cn: Ann',
      'mail: ann@acme.test',
      '',
      'dn: uid=bob,ou=people,o=Acme\\2C Inc.',
      'objectClass: inetOrgPerson',
      'sn: Bob',
      'cn: Bob',
      'mail: bob@acme.test',
      '',
      'dn: cn=Team A,ou=groups,o=Acme\\, Inc.',
      'objectClass: groupOfUniqueNames',
      'cn: Team A',
      "uniqueMember: uid=bob,ou=people,o=Acme\\, Inc.#'0101'B",
      'uniqueMember: uid = ann , ou = people , o = "Acme, Inc."',
      '',
      'dn: cn=Team B,ou=groups,o=Acme\\, Inc.',
      'objectClass: groupOfNames',
      'cn: Team B',
      'member: UID=Ann,OU=People,O=ACME\\, INC.',
      ''
    ].join('\n')
    const directory = ldifFormat.read(text)
    expect(directory.problems).toEqual([])
    expect(directory.roles.map((r) => [r.ref, r.name])).toEqual([
      ['cn=Team A,ou=groups,o=Acme\\, Inc.', 'Team A'],
      ['cn=Team B,ou=groups,o=Acme\\, Inc.', 'Team B']
    ])
    expect(directory.users.map((u) => [u.email, u.roles])).toEqual([
      ['ann@acme.test', ['cn=Team A,ou=groups,o=Acme\\, Inc.', 'cn=Team B,ou=groups,o=Acme\\, Inc.']],
      ['bob@acme.test', ['cn=Team A,ou=groups,o=Acme\\, Inc.']]
    ])
    expect(directory.users.map((u) => u.line)).toEqual([2, 9])
  })

  it('makes a broken line one problem at its line, and reads the entries around it', () => {
    const good = (name: string) => [
      `dn: uid=${name},ou=people,dc=x`,
      'objectClass: inetOrgPerson',
      `sn: ${name}`,
      `cn: ${name}`,
      `mail: ${name}@x.test`
    ]
    const text = [
      ...good('ann'),
      '',
      'dn: uid=bad,ou=people,dc=x',
      'objectClass: inetOrgPerson',
      'this line has no colon',
      'mail: bad@x.test',
      '',
      ...good('bob'),
      '',
      'dn: uid=b64,ou=people,dc=x',
      'objectClass: inetOrgPerson',
      'mail:: not*base64',
      '',
      'objectClass: inetOrgPerson',
      'mail: nodn@x.test',
      '',
      ' continuation with nothing before',
      '',
      'dn: not a dn',
      'mail: x@x.test',
      '',
      'dn: uid=ann,ou=people,dc=x',
      'changetype: modify',
      'replace: mail',
      'mail: new@x.test',
      '-',
      '',
      'dn: uid=carl,ou=people,dc=x',
      'changetype: add',
      'objectClass: inetOrgPerson',
      'sn: carl',
      'cn: carl',
      'mail: carl@x.test',
      'dn: uid=dora,ou=people,dc=x',
      'objectClass: inetOrgPerson',
      'sn: dora',
      'cn: dora',
      'mail: dora@x.test',
      '',
      ...good('ann')
    ].join('\n')
    const directory = ldifFormat.read(text)
    expect(directory.users.map((u) => [u.line, u.email])).toEqual([
      [1, 'ann@x.test'],
      [12, 'bob@x.test'],
      [36, 'carl@x.test'],
      [42, 'dora@x.test']
    ])
    expect(directory.problems.map((p) => p.line)).toEqual([9, 20, 22, 25, 27, 30, 48])
    expect(directory.problems[0]?.reason).toBe(
      'Not an "attribute: value" line: this line has no colon (in the entry uid=bad,ou=people,dc=x)'
    )
    expect(directory.problems[1]?.reason).toMatch(/base64/)
    expect(directory.problems[2]?.reason).toMatch(/must start with "dn:"/)
    expect(directory.problems[4]?.reason).toMatch(/not a distinguished name/)
    expect(directory.problems[5]?.reason).toMatch(/changetype: modify/)
    expect(directory.problems[6]?.reason).toMatch(/is already the entry on line 1$/)
  })

  it('reads what another directory wrote without mistaking its values for ours', () => {
    const text = [
      'dn: uid=jdoe,ou=people,dc=x',
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: inetOrgPerson',
      'uid: jdoe',
      'cn: jdoe',
      'sn: jdoe',
      'mail: jdoe@x.test',
      'employeeType: Contractor',
      'employeeType: Suspended',
      'businessCategory: Finance',
      `jpegPhoto:: ${Buffer.from([0xff, 0xd8, 0xff, 0xe0]).toString('base64')}`,
      'labeledURI:< file:///etc/passwd',
      '',
      'dn: cn=Finance,ou=groups,dc=x',
      'objectClass: groupOfNames',
      'cn: Finance',
      'cn: Money people',
      'businessCategory: Money',
      'member: uid=jdoe,ou=people,dc=x',
      'member: cn=Nested,ou=groups,dc=x',
      'member: uid=elsewhere,dc=y',
      ''
    ].join('\n')
    const directory = ldifFormat.read(text)
    expect(directory.problems).toEqual([])
    expect(directory.users).toEqual([
      {
        line: 1,
        id: null,
        email: 'jdoe@x.test',
        firstName: null,
        lastName: 'jdoe',
        status: 'suspended',
        roles: ['cn=Finance,ou=groups,dc=x'],
        title: null,
        location: null,
        description: null,
        tags: ['Finance']
      }
    ])
    expect(directory.roles).toEqual([{ ref: 'cn=Finance,ou=groups,dc=x', id: null, name: 'Finance', description: null, line: 16 }])
  })

  it('makes binary data where text is meant a problem, and ignores it elsewhere', () => {
    const text = [
      'dn: uid=a,dc=x',
      'objectClass: inetOrgPerson',
      'sn: a',
      'cn: a',
      `mail:: ${Buffer.from([0xc3, 0x28]).toString('base64')}`,
      '',
      'dn: uid=b,dc=x',
      'objectClass: inetOrgPerson',
      'sn: b',
      'cn: b',
      'mail: b@x.test',
      `userCertificate;binary:: ${Buffer.from([0x30, 0x82, 0xfe]).toString('base64')}`,
      ''
    ].join('\n')
    const directory = ldifFormat.read(text)
    expect(directory.problems).toEqual([{ line: 1, reason: 'The mail value is not UTF-8 text' }])
    expect(directory.users.map((u) => u.email)).toEqual(['b@x.test'])
  })
})

// ---------------------------------------------------------------------------------------------
// Round trip

const awkward = fc.constantFrom(
  ' leading space',
  ':colon first',
  '<angle first',
  'trailing space ',
  'two\nlines',
  'cr\r\nlf',
  'nul\0inside',
  'Zoë Ångström',
  '李小龙',
  '🙂🚀',
  '#hash',
  'a, b + c = d; "e" <f> \\g',
  'e\u0301',
  '\ufeffbom first'
)
const text = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), awkward)
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null })
const email = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), fc.constantFrom('bücher.de', 'example.org'))
    .map(([local, domain]) => `${local}@${domain}`)
)

const roleArbitrary = fc.record({
  id: fc.uuid(),
  name: fc.oneof(text, fc.constantFrom('Ops', 'OPS', 'o  ps', 'Sales, EMEA', '#1')),
  icon: fc.stringMatching(/^[a-z0-9_]{1,24}$/),
  description: maybe(text),
  adminAccess: fc.boolean(),
  appAccess: fc.boolean(),
  ipAccess: fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('10.0.0.0/8', '2001:db8::/32')), { maxLength: 3 }),
  enforceTfa: fc.boolean()
})

const directoryArbitrary = fc.uniqueArray(roleArbitrary, { selector: (r) => r.id, maxLength: 5 }).chain((roles) =>
  fc.record({
    roles: fc.constant(roles),
    users: fc.uniqueArray(
      fc.record({
        id: fc.uuid(),
        email: email.filter((e) => e.trim() === e),
        firstName: maybe(text),
        lastName: maybe(text),
        status: fc.constantFrom(...USER_STATUSES),
        roleId: fc.oneof(fc.constant(null), fc.uuid(), ...(roles.length > 0 ? [fc.constantFrom(...roles.map((r) => r.id))] : [])),
        title: maybe(text),
        location: maybe(text),
        description: maybe(text),
        tags: fc.array(text, { maxLength: 4 }),
        createdAt: fc.constant('2025-01-02T03:04:05.000Z'),
        invite: fc.constant(null)
      }),
      { selector: (u) => u.id, maxLength: 12 }
    ),
    batch: fc.integer({ min: 1, max: 4 }),
    baseDn: fc.constantFrom(BASE, 'o=Bücher\\, Gruber & Co,c=AT', 'ou=Ünits+l=Wien,dc=example', '')
  })
)

describe('LDIF round trip', () => {
  it('gives back random directories exactly: users, roles, memberships, statuses, names and profiles', () => {
    fc.assert(
      fc.property(directoryArbitrary, ({ roles, users, batch, baseDn }) => {
        const text = exportLdif(roles, users, { baseDn, batch })
        expect(ldifFormat.recognise(text.slice(0, 1024))).toBe(true)
        expect(summary(ldifFormat.read(text))).toEqual(expected(roles, users))
        for (const r of roles) expect(ldifFormat.refuseRole(r, users.filter((u) => u.roleId === r.id).length)).toBeNull()
      }),
      { numRuns: 300 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// The real system

/** A base DN that needs escaping and base64, as a real organisation's may. */
const SERVER_BASE = 'o=Bücher\\, Gruber & Co,c=AT'

/** RFC 4515: a value inside a search filter. */
const filterValue = (value: string): string => value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)

describe('LDIF against OpenLDAP', () => {
  let slapd: Slapd
  beforeAll(async () => {
    slapd = await startSlapd(SERVER_BASE, 'Bücher, Gruber & Co')
  })
  afterAll(async () => {
    await slapd?.stop()
  })

  const sales = role({ name: 'Sales, EMEA', description: 'Line one\nLine two', ipAccess: ['10.0.0.0/8', '2001:db8::/32'] })
  const cafe = role({ name: 'Équipe Café ☕', icon: 'local_cafe', appAccess: false, enforceTfa: true })
  const admins = role({ name: 'Admins', icon: 'shield', adminAccess: true })
  const shouting = role({ name: 'ADMINS' })
  const desk = role({ name: '#1 <Support> + "Help"; desk', description: ' leading space' })
  // A role nobody holds, with a name long enough to fold its DN line.
  const empty = role({ name: 'Nobody here — a role with a long name that nobody holds yet, held by the empty DN' })
  const roles = [sales, cafe, admins, shouting, desk, empty]
  const users = [
    user({
      firstName: 'Zoë',
      lastName: 'Ångström',
      roleId: sales.id,
      title: ' Lead (with a leading space)',
      location: 'Zürich',
      description: ': starts with a colon',
      tags: ['VIP', '🙂 emoji']
    }),
    user({ firstName: '小龙', lastName: '李', status: 'invited', roleId: cafe.id }),
    user({ status: 'draft', roleId: admins.id, email: 'nobody+tag@example.org' }),
    user({ firstName: 'Cher', status: 'suspended', roleId: shouting.id }),
    user({ lastName: "O'Brien, Jr.", status: 'archived', roleId: desk.id, description: 'two\r\nlines with CRLF' }),
    user({ firstName: 'Pat', lastName: 'Public', tags: ['<angle', 'trailing '] }),
    user({ lastName: 'same@example.org', email: 'same@example.org', roleId: sales.id, description: 'nul\0inside' }),
    user({ firstName: 'Ann', roleId: nextId(), location: 'role outside the file' }),
    user({ firstName: 'Long', description: 'A long description that goes on, '.repeat(20), roleId: admins.id })
  ]
  const userDn = (u: DirectoryUser): string => `uid=${u.id},ou=people,${SERVER_BASE}`
  const groupsBase = `ou=groups,${SERVER_BASE}`

  it('loads the export with ldapadd', async () => {
    const result = await slapd.ldapadd(exportLdif(roles, users, { baseDn: SERVER_BASE, batch: 4 }))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  it('holds every group with exactly its members, as the server compares DNs', async () => {
    for (const r of roles) {
      const members = users.filter((u) => u.roleId === r.id)
      const listed = await slapd.ldapsearch('-b', groupsBase, `(uid=${r.id})`, 'member')
      expect(listed.match(/^member::? /gm) ?? [], r.name).toHaveLength(members.length)
      for (const m of members) {
        const found = await slapd.ldapsearch('-b', groupsBase, `(&(uid=${r.id})(member=${filterValue(userDn(m))}))`, '1.1')
        expect(found, `${r.name} lists ${m.id}`).toMatch(/^dn::? /m)
      }
    }
    const publicUser = users[5] as DirectoryUser
    expect(await slapd.ldapsearch('-b', groupsBase, `(member=${filterValue(userDn(publicUser))})`, '1.1')).toBe('')
  })

  it('answers the searches a signing-in system makes: by status and by admin access', async () => {
    const invited = await slapd.ldapsearch('-b', SERVER_BASE, '(&(objectClass=inetOrgPerson)(employeeType=invited))', 'uid')
    expect([...invited.matchAll(/^uid: (.+)$/gm)].map((m) => m[1])).toEqual([users[1]?.id])
    const adminGroups = await slapd.ldapsearch('-b', SERVER_BASE, '(&(objectClass=groupOfNames)(businessCategory=adminAccess=TRUE))', 'uid')
    expect([...adminGroups.matchAll(/^uid: (.+)$/gm)].map((m) => m[1])).toEqual([admins.id])
  })

  it('reads slapcat output back into the directory that was written', async () => {
    const dump = await slapd.slapcat()
    expect(dump).toMatch(/^entryUUID: /m)
    expect(summary(ldifFormat.read(dump))).toEqual(expected(roles, users))
  })

  it('reads ldapsearch -LLL output back into the directory that was written', async () => {
    const dump = await slapd.ldapsearch('-b', SERVER_BASE)
    expect(dump).toMatch(/^ {1}\S/m)
    expect(summary(ldifFormat.read(dump))).toEqual(expected(roles, users))
  })

  it('refuses exactly the users refuseUser names, and loads the rest', async () => {
    const refusalsBase = `ou=refusals,${SERVER_BASE}`
    const unit = await slapd.ldapadd(`dn:: ${b64(refusalsBase)}\nobjectClass: organizationalUnit\nou: refusals\n`)
    expect(unit.code).toBe(0)
    const candidates = [
      user({ email: 'plain@example.org', tags: ['VIP', 'VIP2'] }),
      user({ email: 'zoë@example.org' }),
      user({ email: 'ann@bücher.de' }),
      user({ tags: ['VIP', 'vip'] }),
      user({ tags: ['a  b', 'a b'] }),
      user({ tags: ['Straße', 'STRASSE'] })
    ]
    const result = await slapd.ldapadd(exportLdif([], candidates, { baseDn: refusalsBase }), { continueOnError: true })
    expect(result.code).not.toBe(0)
    const loaded = await slapd.ldapsearch('-b', refusalsBase, '(objectClass=inetOrgPerson)', 'uid')
    const loadedIds = new Set([...loaded.matchAll(/^uid: (.+)$/gm)].map((m) => m[1]))
    expect(candidates.map((c) => ldifFormat.refuseUser(c) === null)).toEqual(candidates.map((c) => loadedIds.has(c.id)))
    expect(loadedIds.size).toBe(2)
  })

  it('refuses a groupOfNames with no member at all, and takes a role without members as the writer writes it', async () => {
    const result = await slapd.ldapadd(`dn:: ${b64(`cn=Nobody,${groupsBase}`)}\nobjectClass: groupOfNames\ncn: Nobody\n`, {
      continueOnError: true
    })
    expect(result.stderr).toMatch(/requires attribute 'member'/)
    // The export loaded above holds `empty` as a group whose one member is the empty DN.
    expect(await slapd.ldapsearch('-b', groupsBase, `(uid=${empty.id})`, 'member')).toMatch(/^member:\s*$/m)
    const back = ldifFormat.read(await slapd.slapcat())
    expect(back.roles.filter((r) => r.id === empty.id).map((r) => r.name)).toEqual([empty.name])
    expect(back.users.some((u) => u.roles.some((ref) => back.roles.find((r) => r.ref === ref)?.id === empty.id))).toBe(false)
  })
})
