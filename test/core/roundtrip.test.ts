/**
 * The hand-off formats are only trustworthy if what goes out comes back: for each of them, a
 * random directory written to a store, exported whole and imported into an empty database gives
 * the same users, roles, memberships, statuses, names and profile fields — and the same ids.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkEmail } from '../../src-main/core/email'
import { exportToString } from '../../src-main/core/export'
import { applyImport, previewImport } from '../../src-main/core/import'
import { createRoleInput, createUserInput, importOptions } from '../../src-main/core/inputs'
import { LIMITS, USER_STATUSES, type ExportFormat } from '../../src-main/core/model'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { createUser } from '../../src-main/core/users'
import { openTestStore } from '../helpers/store'

/** Text as people type it into a form: any Unicode but NUL, trimmed, never empty. */
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength })
    .map((value) => value.replaceAll('\0', '').trim())
    .filter((value) => value !== '' && value.length <= maxLength)

const ICONS = ['supervised_user_circle', 'edit_note', 'shield_person', 'badge'] as const
const IP_ENTRIES = ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', '198.51.100.0/24'] as const

const roleArbitrary = fc.record({
  name: text(40),
  icon: fc.constantFrom(...ICONS),
  description: fc.option(text(200), { nil: null }),
  adminAccess: fc.boolean(),
  appAccess: fc.boolean(),
  ipAccess: fc.uniqueArray(fc.constantFrom(...IP_ENTRIES), { maxLength: 2 }),
  enforceTfa: fc.boolean()
})

const emailArbitrary = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.constantFrom('zoë', 'Łukasz', 'ana.garcía', 'O.Neill'), fc.constantFrom('example.org', 'bücher.example.com'))
    .map(([local, domain]) => `${local}@${domain}`)
)

const directoryArbitrary = fc
  .uniqueArray(roleArbitrary, { maxLength: 4, selector: (role) => role.name.normalize('NFC').toLowerCase() })
  .chain((roles) =>
    fc.record({
      roles: fc.constant(roles),
      users: fc.uniqueArray(
        fc.record({
          email: emailArbitrary.filter((email) => checkEmail(email).ok),
          firstName: fc.option(text(LIMITS.personName), { nil: null }),
          lastName: fc.option(text(LIMITS.personName), { nil: null }),
          status: fc.constantFrom(...USER_STATUSES),
          role: fc.option(fc.integer({ min: 0, max: Math.max(0, roles.length - 1) }), { nil: null }),
          title: fc.option(text(50), { nil: null }),
          location: fc.option(text(100), { nil: null }),
          description: fc.option(text(300), { nil: null }),
          tags: fc.uniqueArray(text(20), { maxLength: 4, selector: (tag) => tag })
        }),
        { maxLength: 10, selector: (user) => emailKey(user.email) }
      )
    })
  )

/** The store's unique key of an address: two users may not share it. */
function emailKey(email: string): string {
  const checked = checkEmail(email)
  return checked.ok ? checked.key : email
}

type Directory = typeof directoryArbitrary extends fc.Arbitrary<infer D> ? D : never

async function storeWith(directory: Directory): Promise<Store> {
  const store = await openTestStore()
  const roleIds = directory.roles.map((role) => createRole(store, createRoleInput.parse(role)).id)
  for (const { role, ...user } of directory.users) {
    const roleId = role === null || roleIds.length === 0 ? null : (roleIds[role] ?? null)
    createUser(store, createUserInput.parse({ ...user, roleId }))
  }
  return store
}

/** The directory as an administrator would check it: by name and address, with ids beside them. */
function contents(store: Store) {
  const roles = store.sqlite
    .prepare('SELECT id, name, icon, description, admin_access, app_access, ip_access, enforce_tfa FROM roles ORDER BY name_key')
    .all()
  const users = store.sqlite
    .prepare(
      `SELECT users.id, users.email, users.first_name, users.last_name, users.status, roles.name AS role, users.title,
        users.location, users.description, users.tags, users.invite_nonce IS NOT NULL AS has_invite
        FROM users LEFT JOIN roles ON roles.id = users.role_id ORDER BY users.email_key`
    )
    .all()
  return { roles, users }
}

const HANDOFF: readonly ExportFormat[] = ['directus', 'scim', 'keycloak', 'ldif']

describe.each(HANDOFF)('a %s export imported into an empty database', (format) => {
  it('reproduces the directory exactly, ids included', async () => {
    await fc.assert(
      fc.asyncProperty(directoryArbitrary, async (directory) => {
        const source = await storeWith(directory)
        const target = await openTestStore()
        try {
          const file = await exportToString(source, {
            scope: { kind: 'users', selection: { filter: {} } },
            format,
            ldifBaseDn: 'dc=example,dc=org'
          })
          const options = importOptions.parse({ existing: 'update' })
          const preview = previewImport(target, file, options)
          expect(preview.format).toBe(format)
          expect(preview.rows.filter((row) => row.outcome === 'invalid')).toEqual([])
          applyImport(target, file, options)
          expect(contents(target)).toEqual(contents(source))
        } finally {
          source.close()
          target.close()
        }
      }),
      { numRuns: 60 }
    )
  })
})
