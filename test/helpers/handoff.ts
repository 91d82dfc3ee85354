/**
 * A small directory for the hand-off format tests and the Directus interop run: roles with and
 * without members (one with admin access, one with no app access, IP limits and 2FA), users in
 * every status including invited ones and Public users, Unicode names, tags and a Unicode domain.
 * The interop run writes it to a real Directus and captures Directus's exports of it as fixtures,
 * so the reader tests compare those exports with this very directory.
 */
import fc from 'fast-check'
import type {
  DirectoryRole,
  DirectoryUser,
  HandoffContext,
  HandoffOptions,
  HandoffWriter,
  SourceDirectory
} from '../../src-main/core/formats/handoff'

export const SAMPLE_ROLES: readonly DirectoryRole[] = [
  {
    id: '6d1c2a8e-4b7f-4c3a-9e21-0a5f3b8c7d01',
    name: 'Operations Admins',
    icon: 'shield_person',
    description: 'Keep the lights on',
    adminAccess: true,
    appAccess: true,
    ipAccess: [],
    enforceTfa: false
  },
  {
    id: '6d1c2a8e-4b7f-4c3a-9e21-0a5f3b8c7d02',
    name: 'Rédaction — Éditeurs',
    icon: 'edit_note',
    description: null,
    adminAccess: false,
    appAccess: true,
    ipAccess: [],
    enforceTfa: false
  },
  {
    id: '6d1c2a8e-4b7f-4c3a-9e21-0a5f3b8c7d03',
    name: 'Leser 読者',
    icon: 'visibility',
    description: 'Read only, from the office',
    adminAccess: false,
    appAccess: false,
    ipAccess: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
    enforceTfa: true
  },
  {
    id: '6d1c2a8e-4b7f-4c3a-9e21-0a5f3b8c7d04',
    name: 'Archive (no members)',
    icon: 'inventory_2',
    description: 'Nobody yet',
    adminAccess: false,
    appAccess: true,
    ipAccess: [],
    enforceTfa: false
  }
]

const [admins, editors, readers] = SAMPLE_ROLES.map((role) => role.id)

const DAY = 86_400_000

interface UserSeed extends Partial<DirectoryUser> {
  id: string
  email: string
  status: DirectoryUser['status']
  roleId: string | null
}

function user(seed: UserSeed, now: Date): DirectoryUser {
  const invite =
    seed.status === 'invited'
      ? {
          token: `token-${seed.id}`,
          link: `https://intranet.example.org/accept?token=token-${seed.id}`,
          jti: `jti-${seed.id}`,
          invitedAt: new Date(now.getTime() - DAY).toISOString(),
          expiresAt: new Date(now.getTime() + 6 * DAY).toISOString(),
          expired: false,
          directusLink: null
        }
      : null
  return {
    firstName: null,
    lastName: null,
    title: null,
    location: null,
    description: null,
    tags: [],
    createdAt: new Date(now.getTime() - 30 * DAY).toISOString(),
    invite,
    ...seed
  }
}

export function sampleUsers(now = new Date()): DirectoryUser[] {
  const seeds: UserSeed[] = [
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c01',
      email: 'ops.lead@example.org',
      status: 'active',
      roleId: admins ?? null,
      firstName: 'Zoë',
      lastName: 'Ó Briain',
      title: 'Head of Operations',
      location: 'Dublin',
      description: 'On call\nweekdays',
      tags: ['ops', 'on-call']
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c02',
      email: 'lukasz@example.org',
      status: 'active',
      roleId: editors ?? null,
      firstName: 'Łukasz',
      lastName: 'Żółć',
      tags: ['éditeur', 'ŻÓŁĆ', 'with, comma']
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c03',
      email: 'Ana.Garcia@example.com',
      status: 'invited',
      roleId: editors ?? null,
      firstName: 'Ana',
      lastName: 'García'
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c04',
      email: 'yamada@example.net',
      status: 'invited',
      roleId: readers ?? null,
      firstName: '太郎',
      lastName: '山田',
      location: '東京',
      tags: ['読者']
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c05',
      email: 'draft.person@example.org',
      status: 'draft',
      roleId: readers ?? null,
      firstName: 'Drafted',
      lastName: 'Person'
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c06',
      email: 'suspended@example.org',
      status: 'suspended',
      roleId: editors ?? null,
      lastName: 'O\'Neill "Sus"',
      description: '=not a formula'
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c07',
      email: 'archived@example.org',
      status: 'archived',
      roleId: admins ?? null,
      firstName: 'Former',
      title: 'Ex-admin'
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c08',
      email: 'pat.public@example.org',
      status: 'active',
      roleId: null,
      firstName: 'Pat',
      lastName: 'Public',
      tags: ['external']
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c09',
      email: 'Jürgen.Müller@bücher.example.org',
      status: 'active',
      roleId: readers ?? null,
      firstName: 'Jürgen',
      lastName: 'Müller'
    },
    {
      id: '3f0e9b52-7a1d-4e6b-8c4f-2d9a1b7e5c10',
      email: 'ines.invited@example.org',
      status: 'invited',
      roleId: null,
      firstName: 'Inès'
    }
  ]
  return seeds.map((seed) => user(seed, now))
}

export const SAMPLE_OPTIONS: HandoffOptions = { baseDn: 'dc=example,dc=org', ifResourceExists: 'SKIP' }

export function sampleContext(now = new Date(), roles: readonly DirectoryRole[] = SAMPLE_ROLES): HandoffContext {
  return {
    roles,
    directoryId: 'urn:rolekeeper:0b7d4f3e-2c1a-4e5f-9a8b-7c6d5e4f3a2b',
    exportedAt: now.toISOString(),
    options: SAMPLE_OPTIONS
  }
}

/** What a reader should give back for these users and roles: the directory in the source shapes, lines aside. */
export function expectedSource(roles: readonly DirectoryRole[], users: readonly DirectoryUser[]) {
  const roleIds = new Set(roles.map((role) => role.id))
  return {
    roles: roles.map((role) => ({
      id: role.id,
      name: role.name,
      description: role.description,
      adminAccess: role.adminAccess,
      appAccess: role.appAccess,
      ipAccess: role.ipAccess,
      enforceTfa: role.enforceTfa
    })),
    users: users.map((entry) => ({
      id: entry.id,
      email: entry.email,
      firstName: entry.firstName,
      lastName: entry.lastName,
      status: entry.status,
      roleIds: entry.roleId !== null && roleIds.has(entry.roleId) ? [entry.roleId] : [],
      title: entry.title,
      location: entry.location,
      description: entry.description,
      tags: entry.tags
    }))
  }
}

/** A read directory in the same shape as `expectedSource`: role refs resolved to role ids. */
export function comparableSource(source: SourceDirectory) {
  const idOf = new Map(source.roles.map((role) => [role.ref, role.id ?? role.ref]))
  return {
    roles: source.roles.map((role) => ({
      id: role.id,
      name: role.name,
      description: role.description,
      adminAccess: role.adminAccess,
      appAccess: role.appAccess,
      ipAccess: role.ipAccess,
      enforceTfa: role.enforceTfa
    })),
    users: source.users.map((entry) => ({
      id: entry.id,
      email: entry.email,
      firstName: entry.firstName,
      lastName: entry.lastName,
      status: entry.status,
      roleIds: entry.roles.map((ref) => idOf.get(ref) ?? ref),
      title: entry.title,
      location: entry.location,
      description: entry.description,
      tags: entry.tags
    }))
  }
}

// ---------------------------------------------------------------------------------------------
// Random directories for the round-trip properties

const IP_ENTRIES = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '198.51.100.0/24', '::1', 'fe80::1%eth0'] as const
const ICONS = ['supervised_user_circle', 'edit_note', 'shield_person', 'visibility', 'badge'] as const
const STATUSES = ['draft', 'invited', 'active', 'suspended', 'archived'] as const

/** Text as people type it into a form (and as the store keeps it): any Unicode, trimmed, never empty. */
export const formText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength })
    .map((value) => value.trim())
    .filter((value) => value !== '')

export const roleArbitrary: fc.Arbitrary<DirectoryRole> = fc.record({
  id: fc.uuid({ version: 4 }),
  name: formText(40),
  icon: fc.constantFrom(...ICONS),
  description: fc.option(formText(200), { nil: null }),
  adminAccess: fc.boolean(),
  appAccess: fc.boolean(),
  ipAccess: fc.uniqueArray(fc.constantFrom(...IP_ENTRIES), { maxLength: 3 }),
  enforceTfa: fc.boolean()
})

/** A directory: roles (some without members), users in every status, Public users, invites. */
export const directoryArbitrary = fc
  .uniqueArray(roleArbitrary, { maxLength: 5, selector: (role) => role.name.toLowerCase() })
  .chain((roles) =>
    fc.record({
      roles: fc.constant(roles),
      users: fc.uniqueArray(
        fc.record({
          id: fc.uuid({ version: 4 }),
          email: fc.emailAddress(),
          firstName: fc.option(formText(50), { nil: null }),
          lastName: fc.option(formText(50), { nil: null }),
          status: fc.constantFrom(...STATUSES),
          roleId: fc.option(fc.constantFrom(...roles.map((role) => role.id), '00000000-0000-4000-8000-0000000000ff'), { nil: null }),
          title: fc.option(formText(50), { nil: null }),
          location: fc.option(formText(100), { nil: null }),
          description: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), { nil: null }),
          tags: fc.uniqueArray(formText(20), { maxLength: 4 }),
          createdAt: fc
            .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
            .map((date) => date.toISOString()),
          withLink: fc.boolean(),
          expired: fc.boolean()
        }),
        { maxLength: 25, selector: (user) => user.email.toLowerCase() }
      ),
      batch: fc.integer({ min: 1, max: 7 })
    })
  )
  .map(({ roles, users, batch }) => ({
    roles,
    batch,
    users: users.map(({ withLink, expired, ...user }): DirectoryUser => {
      const invite =
        user.status === 'invited'
          ? {
              token: `token-${user.id}`,
              link: withLink ? `https://intranet.example.org/accept?token=token-${user.id}` : null,
              jti: `jti-${user.id}`,
              invitedAt: user.createdAt,
              expiresAt: new Date(Date.parse(user.createdAt) + 7 * DAY).toISOString(),
              expired,
              directusLink: withLink ? `https://cms.example.org/admin/accept-invite?token=t-${user.id}` : null
            }
          : null
      return { ...user, invite }
    })
  }))

/** The writer's text for these users, handed over in batches of `batch`. */
export function writeInBatches(writer: HandoffWriter, users: readonly DirectoryUser[], batch: number): string {
  let out = writer.start()
  for (let at = 0; at < users.length; at += batch) out += writer.users(users.slice(at, at + batch))
  return out + writer.end()
}
