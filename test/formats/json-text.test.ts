import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { columnsOf, listRecord, roleNames, type ListKind } from '../../src-main/core/formats/columns'
import type { DirectoryInvite, DirectoryRole, DirectoryUser, HandoffContext, HandoffWriter } from '../../src-main/core/formats/handoff'
import { jsonWriter } from '../../src-main/core/formats/json'
import { keycloakFormat, keycloakUser } from '../../src-main/core/formats/keycloak'
import {
  ROLEKEEPER_GROUP_EXTENSION,
  ROLEKEEPER_USER_EXTENSION,
  SCIM_BULK_REQUEST,
  SCIM_GROUP_SCHEMA,
  SCIM_USER_SCHEMA,
  scimFormat
} from '../../src-main/core/formats/scim'
import { USER_STATUSES } from '../../src-main/core/model'
import { formText, roleArbitrary } from '../helpers/handoff'

// The JSON writers spell their text out value by value; these are the objects they stand for,
// given to JSON.stringify as the writers once did. Every batch of users must come out the same.

/** Rolekeeper's JSON list: a record per user with the list's columns, in their order. */
function listLine(kind: ListKind, names: ReadonlyMap<string, string>): (user: DirectoryUser) => string {
  return (user) => {
    const record = listRecord(user, names)
    const object: Record<string, string | string[] | boolean | null> = {}
    for (const column of columnsOf(kind)) object[column] = record[column] ?? null
    return JSON.stringify(object)
  }
}

/** The SCIM BulkRequest's operation for a user. */
function scimLine(user: DirectoryUser): string {
  const { firstName, lastName, invite } = user
  const formatted = firstName && lastName ? `${firstName} ${lastName}` : firstName || lastName || ''
  return JSON.stringify({
    method: 'POST',
    path: '/Users',
    bulkId: `user-${user.id}`,
    data: {
      schemas: [SCIM_USER_SCHEMA, ROLEKEEPER_USER_EXTENSION],
      externalId: user.id,
      userName: user.email,
      name:
        firstName === null && lastName === null
          ? undefined
          : { givenName: firstName ?? undefined, familyName: lastName ?? undefined, formatted },
      displayName: formatted === '' ? user.email : formatted,
      emails: [{ value: user.email, type: 'work', primary: true }],
      title: user.title ?? undefined,
      active: user.status === 'active',
      [ROLEKEEPER_USER_EXTENSION]: {
        status: user.status,
        location: user.location ?? undefined,
        description: user.description ?? undefined,
        tags: user.tags.length > 0 ? user.tags : undefined,
        ...(invite && {
          inviteLink: invite.link ?? undefined,
          inviteToken: invite.token,
          inviteJti: invite.jti,
          invitedAt: invite.invitedAt,
          inviteExpiresAt: invite.expiresAt,
          inviteExpired: invite.expired
        })
      }
    }
  })
}

/** The SCIM BulkRequest's operation for a role, after every user. */
function scimGroupLine(role: DirectoryRole, members: readonly string[]): string {
  return JSON.stringify({
    method: 'POST',
    path: '/Groups',
    bulkId: `role-${role.id}`,
    data: {
      schemas: [SCIM_GROUP_SCHEMA, ROLEKEEPER_GROUP_EXTENSION],
      externalId: role.id,
      displayName: role.name,
      members: members.length === 0 ? undefined : members.map((userId) => ({ value: `bulkId:user-${userId}`, type: 'User' })),
      [ROLEKEEPER_GROUP_EXTENSION]: {
        icon: role.icon,
        description: role.description ?? undefined,
        adminAccess: role.adminAccess,
        appAccess: role.appAccess,
        ipAccess: role.ipAccess.length === 0 ? undefined : role.ipAccess,
        enforceTfa: role.enforceTfa
      }
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Users whose text needs every kind of escaping

/** Text JSON must escape (quotes, backslashes, controls, lone surrogates), any Unicode, or form text. */
const anyText = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', 'é', '😀')
  }),
  fc.string({ unit: 'binary' }),
  formText(20)
)
const maybeText = fc.option(anyText, { nil: null })
const timeText = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
  anyText
)

const inviteArbitrary: fc.Arbitrary<DirectoryInvite> = fc.record({
  token: anyText,
  link: maybeText,
  jti: anyText,
  invitedAt: timeText,
  expiresAt: timeText,
  expired: fc.boolean(),
  directusLink: maybeText
})

const directoryArbitrary = fc.uniqueArray(roleArbitrary, { maxLength: 4, selector: (role) => role.id }).chain((roles) =>
  fc.record({
    roles: fc.constant<DirectoryRole[]>(roles),
    batches: fc.array(
      fc.array(
        fc.record({
          id: fc.oneof(fc.uuid({ version: 4 }), anyText),
          email: fc.oneof(
            fc.emailAddress(),
            fc.emailAddress().map((email) => email.toUpperCase()),
            anyText
          ),
          firstName: maybeText,
          lastName: maybeText,
          status: fc.constantFrom(...USER_STATUSES),
          roleId: fc.option(fc.constantFrom(...roles.map((role) => role.id), 'not-a-role-of-the-file'), { nil: null }),
          title: maybeText,
          location: maybeText,
          description: maybeText,
          tags: fc.array(anyText, { maxLength: 3 }),
          createdAt: timeText,
          invite: fc.option(inviteArbitrary, { nil: null })
        }),
        { maxLength: 6 }
      ),
      { maxLength: 4 }
    )
  })
)

const context = (roles: readonly DirectoryRole[]): HandoffContext => ({
  roles,
  directoryId: 'urn:rolekeeper:00000000-0000-4000-8000-000000000001',
  exportedAt: '2026-12-01T00:00:00.000Z',
  options: { baseDn: 'dc=example,dc=org', ifResourceExists: 'SKIP' }
})

/**
 * What `users` gives for each batch, beside the reference: one line per user, `,\n` between
 * users, also across batches (some formats open with the first user's newline, some with a comma).
 */
function expectSameUsers(
  make: (roles: readonly DirectoryRole[]) => HandoffWriter,
  line: (roles: readonly DirectoryRole[]) => (user: DirectoryUser) => string,
  separator: (index: number) => string
): void {
  fc.assert(
    fc.property(directoryArbitrary, ({ roles, batches }) => {
      const writer = make(roles)
      const reference = line(roles)
      writer.start()
      let written = 0
      for (const batch of batches) {
        expect(writer.users(batch)).toBe(batch.map((user) => separator(written++) + reference(user)).join(''))
      }
    }),
    { numRuns: 400 }
  )
}

const leadingNewline = (index: number): string => (index === 0 ? '\n' : ',\n')

describe('Hand-written JSON text', () => {
  it('of a JSON invite list and user export is JSON.stringify of each record', () => {
    for (const kind of ['invites', 'users'] as const) {
      expectSameUsers(
        (roles) => jsonWriter({ kind, roles }),
        (roles) => listLine(kind, roleNames(roles)),
        leadingNewline
      )
    }
  })

  it('of a whole SCIM BulkRequest, groups and their members included, is JSON.stringify of each operation', () => {
    fc.assert(
      fc.property(directoryArbitrary, ({ roles, batches }) => {
        const writer = scimFormat.writer(context(roles))
        const users = batches.flat()
        const operations = users.map(scimLine)
        for (const role of roles)
          operations.push(
            scimGroupLine(
              role,
              users.filter((user) => user.roleId === role.id).map((user) => user.id)
            )
          )
        const expected = `{"schemas":[${JSON.stringify(SCIM_BULK_REQUEST)}],"Operations":[${operations.map((line) => `\n${line}`).join(',')}\n]}\n`
        expect(writer.start() + batches.map((batch) => writer.users(batch)).join('') + writer.end()).toBe(expected)
      }),
      { numRuns: 400 }
    )
  })

  it('of a Keycloak user is JSON.stringify of keycloakUser', () => {
    expectSameUsers(
      (roles) => keycloakFormat.writer(context(roles)),
      (roles) => (user) => JSON.stringify(keycloakUser(user, roleNames(roles))),
      leadingNewline
    )
  })
})
