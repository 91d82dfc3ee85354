import { readFileSync } from 'node:fs'
import { jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportToFile, exportToString, previewExport } from '../../src-main/core/export'
import { directusFormat } from '../../src-main/core/formats/directus'
import { keycloakFormat } from '../../src-main/core/formats/keycloak'
import { ldifFormat } from '../../src-main/core/formats/ldif'
import { scimFormat } from '../../src-main/core/formats/scim'
import { createRoleInput, createUserInput } from '../../src-main/core/inputs'
import { clearDirectusTarget, saveDirectusTarget } from '../../src-main/core/directus-target'
import { acceptInvite, getInviteLink } from '../../src-main/core/invites'
import { EXPORT_FORMAT_INFO } from '../../src-main/core/model'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { createUser } from '../../src-main/core/users'
import { openTestStore, tempDir } from '../helpers/store'

let clock = new Date('2026-03-01T10:00:00.000Z')
let store: Store
let editors: string

beforeEach(async () => {
  clock = new Date('2026-03-01T10:00:00.000Z')
  store = await openTestStore({ now: () => clock })
  editors = createRole(store, createRoleInput.parse({ name: 'Editors', description: 'Write things' })).id
  createRole(store, createRoleInput.parse({ name: 'Nobody here' }))
  const user = (email: string, status: string, roleId: string | null, firstName: string | null = null): void => {
    createUser(store, createUserInput.parse({ email, status, roleId, firstName }))
  }
  user('ann@example.org', 'active', editors, 'Ann')
  user('bob@example.org', 'invited', editors, 'Bob')
  user('josé@exämple.org', 'invited', editors, 'José')
  user('public@example.org', 'draft', null)
})

afterEach(() => store.close())

const wholeDirectory = { kind: 'users', selection: { filter: {} } } as const
const read = <T>(text: string, parse: (text: string) => T): T => parse(text)

describe('hand-off exports through the store', () => {
  it('write the whole directory as LDIF that reads back to the same users, statuses and roles, those without members too', async () => {
    const text = await exportToString(store, { scope: wholeDirectory, format: 'ldif', ldifBaseDn: 'dc=example,dc=org' })
    const directory = read(text, ldifFormat.read)
    expect(directory.problems).toEqual([])
    expect(directory.users.map((user) => [user.email, user.status]).sort()).toEqual([
      ['ann@example.org', 'active'],
      ['bob@example.org', 'invited'],
      ['josé@exämple.org', 'invited'],
      ['public@example.org', 'draft']
    ])
    expect(directory.roles.map((role) => role.name).sort()).toEqual(['Editors', 'Nobody here'])
    const editorsRef = directory.roles.find((role) => role.name === 'Editors')?.ref
    expect(
      directory.users
        .filter((user) => user.roles.includes(editorsRef ?? ''))
        .map((user) => user.email)
        .sort()
    ).toEqual(['ann@example.org', 'bob@example.org', 'josé@exämple.org'])
  })

  it('write a role’s pending invites as a SCIM bulk request with every invite’s link', async () => {
    const text = await exportToString(store, { scope: { kind: 'roleInvites', roleId: editors }, format: 'scim' })
    const directory = read(text, scimFormat.read)
    expect(directory.users.map((user) => user.email).sort()).toEqual(['bob@example.org', 'josé@exämple.org'])
    const link = await getInviteLink(store, { userId: directory.users.find((user) => user.email === 'bob@example.org')?.id ?? '' })
    expect(text).toContain(JSON.stringify(link.token))
  })

  it('carry, in a Directus file, a Directus-format link for each pending invite once a Directus target is set', async () => {
    const invitesIn = (text: string): Array<{ id: string; email: string; link: string; expires_at: string; expired: boolean }> => {
      const collections = JSON.parse(text) as Array<{ collection: string; rolekeeper_invites?: unknown }> // the file's shape
      return collections.flatMap((entry) => (Array.isArray(entry.rolekeeper_invites) ? entry.rolekeeper_invites : []))
    }
    expect(invitesIn(await exportToString(store, { scope: wholeDirectory, format: 'directus' }))).toEqual([])

    const secret = 'directus-secret-of-the-test-server'
    saveDirectusTarget(store, { publicUrl: 'https://cms.example.org/directus/', secret })
    const invites = invitesIn(await exportToString(store, { scope: wholeDirectory, format: 'directus' }))
    expect(invites.map((invite) => invite.email).sort()).toEqual(['bob@example.org', 'josé@exämple.org'])
    for (const invite of invites) {
      const url = new URL(invite.link)
      expect(`${url.origin}${url.pathname}`).toBe('https://cms.example.org/directus/admin/accept-invite')
      // What Directus's acceptInvite checks: HS256 under its SECRET, issuer directus, the address, the scope.
      const { payload, protectedHeader } = await jwtVerify(url.searchParams.get('token') ?? '', new TextEncoder().encode(secret), {
        issuer: 'directus',
        currentDate: clock
      })
      expect(protectedHeader.alg).toBe('HS256')
      expect(payload).toMatchObject({ email: invite.email, scope: 'invite' })
      expect(new Date((payload.exp ?? 0) * 1000).toISOString()).toBe(
        new Date(Date.parse(invite.expires_at)).toISOString().replace(/\.\d{3}Z$/, '.000Z')
      )
      expect(invite.expired).toBe(false)
    }
    // Other formats never carry them, and a cleared target stops them.
    expect(await exportToString(store, { scope: wholeDirectory, format: 'scim' })).not.toContain('accept-invite')
    clearDirectusTarget(store)
    expect(invitesIn(await exportToString(store, { scope: wholeDirectory, format: 'directus' }))).toEqual([])
  })

  it('need a base DN for LDIF, said beside the field', async () => {
    const error = await previewExport(store, { scope: wholeDirectory, format: 'ldif', ldifBaseDn: 'not a dn' }).catch(
      (caught: unknown) => caught
    )
    expect(error).toMatchObject({ code: 'validation', fields: { ldifBaseDn: expect.stringContaining('not a distinguished name') } })
  })
})

describe('before writing, the export says what the target will refuse', () => {
  it('LDAP refuses an address that is not ASCII; Directus one on a reserved domain; CSV nothing', async () => {
    const preview = await previewExport(store, { scope: wholeDirectory, format: 'ldif', ldifBaseDn: 'dc=example,dc=org' })
    expect(preview.total).toBe(4)
    expect(preview.refusals).toEqual({
      users: 1,
      roles: 0,
      listed: [{ kind: 'user', label: 'josé@exämple.org', reason: expect.stringContaining('ASCII') }]
    })
    createUser(store, createUserInput.parse({ email: 'tester@example.test', status: 'active' }))
    const directus = await previewExport(store, { scope: wholeDirectory, format: 'directus' })
    expect(directus.refusals.listed).toEqual([
      { kind: 'user', label: 'tester@example.test', reason: expect.stringContaining('top-level domain') }
    ])
    const csv = await previewExport(store, { scope: wholeDirectory, format: 'csv' })
    expect(csv.refusals).toEqual({ users: 0, roles: 0, listed: [] })
  })

  it('leaves refused users out only when the administrator agrees', async () => {
    const options = { scope: wholeDirectory, format: 'ldif', ldifBaseDn: 'dc=example,dc=org' } as const
    expect(ldifFormat.read(await exportToString(store, options)).users).toHaveLength(4)
    const agreed = ldifFormat.read(await exportToString(store, { ...options, leaveOutRefused: true }))
    expect(agreed.users.map((user) => user.email).sort()).toEqual(['ann@example.org', 'bob@example.org', 'public@example.org'])
  })
})

describe('expired invites never go out as pending', () => {
  const expire = (): void => {
    clock = new Date('2026-03-20T10:00:00.000Z')
  }

  it('are counted before an invite export and left out of it', async () => {
    expire()
    const scope = { kind: 'roleInvites', roleId: editors } as const
    const preview = await previewExport(store, { scope, format: 'csv' })
    expect(preview).toMatchObject({ total: 2, expiredInvites: 2 })
    const text = await exportToString(store, { scope, format: 'csv', bom: false })
    expect(text.trim().split('\r\n')).toHaveLength(1)
  })

  it('can be renewed as Resend does: a new link that works, the old one dead', async () => {
    const scope = { kind: 'roleInvites', roleId: editors } as const
    const bob = (await previewExport(store, { scope, format: 'csv' })).total
    expect(bob).toBe(2)
    const before = await exportToString(store, { scope, format: 'json' })
    const oldLinks = (JSON.parse(before) as Array<{ invite_link: string }>).map((row) => row.invite_link)
    expire()
    const renewed = JSON.parse(await exportToString(store, { scope, format: 'json', expiredInvites: 'renew' })) as Array<{
      email: string
      expired: boolean
      invite_link: string
      invite_expires_at: string
    }>
    expect(renewed.map((row) => [row.email, row.expired])).toEqual([
      ['bob@example.org', false],
      ['josé@exämple.org', false]
    ])
    expect(renewed[0]?.invite_expires_at).toBe('2026-03-27T10:00:00.000Z')
    expect(renewed.map((row) => row.invite_link)).not.toEqual(oldLinks)
    const accept = (token: string) => acceptInvite(store, { token, password: 'long enough 1', firstName: null, lastName: null })
    await expect(accept(oldLinks[0] ?? '')).rejects.toMatchObject({ code: 'invite_invalid' })
    expect(await accept(renewed[0]?.invite_link ?? '')).toEqual({ accepted: true })
  })

  it('are marked as expired in a user export, which holds every status', async () => {
    expire()
    const rows = JSON.parse(await exportToString(store, { scope: wholeDirectory, format: 'json' })) as Array<{
      email: string
      expired: boolean | null
    }>
    expect(Object.fromEntries(rows.map((row) => [row.email, row.expired]))).toEqual({
      'ann@example.org': null,
      'bob@example.org': true,
      'josé@exämple.org': true,
      'public@example.org': null
    })
  })
})

describe('a finished export', () => {
  it('is recorded in the activity log and remembers the LDIF base DN for next time', async () => {
    const folder = tempDir()
    try {
      const target = folder.file('people.ldif')
      const result = await exportToFile(store, { scope: wholeDirectory, format: 'ldif', ldifBaseDn: 'o=Example' }, target)
      expect(result.rows).toBe(4)
      expect(readFileSync(target, 'utf8')).toContain('dn: ou=people,o=Example')
      const entry = store.sqlite.prepare("SELECT summary, after FROM activity WHERE action = 'user.export'").get() as {
        summary: string
        after: string
      }
      expect(entry.summary).toBe('Exported 4 users as LDAP (LDIF) to people.ldif')
      expect(JSON.parse(entry.after)).toMatchObject({ format: 'ldif', rows: 4 })
      expect((await previewExport(store, { scope: wholeDirectory, format: 'csv' })).remembered.ldifBaseDn).toBe('o=Example')
    } finally {
      folder.cleanup()
    }
  })
})

describe('the formats’ own words', () => {
  it('are the Export dialog’s', () => {
    for (const [id, format] of [
      ['directus', directusFormat],
      ['scim', scimFormat],
      ['keycloak', keycloakFormat],
      ['ldif', ldifFormat]
    ] as const) {
      const info = EXPORT_FORMAT_INFO[id]
      expect(format.id).toBe(id)
      expect({ label: format.label, destination: format.destination, extension: format.extension }).toEqual({
        label: info.label,
        destination: info.destination,
        extension: info.extension
      })
    }
  })
})
