import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FOLD_SLICE, roleIndexTrails, trailingCount } from '../../src-main/core/role-index'
import type { Store } from '../../src-main/core/store'
import { CALL_NAMES, type AppInfo, type Result } from '../../src-main/ipc/contract'
import { createHandlerMap, INTERNAL_MESSAGE, type HandlerMap } from '../../src-main/ipc/handlers'
import { openTestStore } from '../helpers/store'
import { errorOf, valueOf } from '../helpers/results'

const appInfo: AppInfo = { version: '9.9.9', databasePath: '/data/rolekeeper.db', runtime: 'desktop' }

let store: Store
let api: HandlerMap

beforeEach(async () => {
  store = await openTestStore()
  api = createHandlerMap({ store, appInfo })
})
afterEach(() => {
  vi.restoreAllMocks()
  store.close()
})

describe('the handler map', () => {
  it('has one handler per contract call', () => {
    expect(Object.keys(api).sort()).toEqual([...CALL_NAMES].sort())
  })

  it('answers getAppInfo from its context, with or without an input', async () => {
    expect(valueOf(await api.getAppInfo(undefined))).toEqual(appInfo)
    expect(valueOf(await api.getAppInfo({}))).toEqual(appInfo)
  })

  it('creates a role, finds it, lists it and renames it', async () => {
    const created = valueOf(await api.createRole({ name: '  Editors ', adminAccess: false }))
    expect(created.name).toBe('Editors')
    expect(created.memberCount).toBe(0)

    expect(valueOf(await api.getRole({ id: created.id })).name).toBe('Editors')
    const overview = valueOf(await api.listRoles({}))
    expect(overview.roles.map((role) => role.name)).toContain('Editors')

    const renamed = valueOf(await api.updateRole({ id: created.id, patch: { name: 'Writers' } }))
    expect(renamed.name).toBe('Writers')
  })

  it('creates a user in a role and counts them', async () => {
    const role = valueOf(await api.createRole({ name: 'Support' }))
    const user = valueOf(await api.createUser({ email: 'ada@example.org', firstName: 'Ada', roleId: role.id }))
    expect(user).toMatchObject({ email: 'ada@example.org', roleId: role.id, roleName: 'Support', status: 'active' })

    const page = valueOf(await api.listUsers({ filter: { roleId: role.id } }))
    expect(page.rows.map((row) => row.email)).toEqual(['ada@example.org'])
    expect(valueOf(await api.countUsers({})).all).toBe(1)
  })

  it('catches the role index up in the background after a change set, while calls go on', async () => {
    const role = valueOf(await api.createRole({ name: 'Support' }))
    const insert = store.sqlite.prepare(
      "INSERT INTO users (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, 'active', 'x', 'x')"
    )
    const ids = Array.from({ length: 2 * FOLD_SLICE + 100 }, (_, index) => {
      const id = randomUUID()
      insert.run(id, `member.${index}@example.org`, `member.${index}@example.org`)
      return id
    })
    valueOf(await api.saveRoleChanges({ roleId: role.id, add: ids }))
    expect(trailingCount(store)).toBe(ids.length)
    // Read at once, the role already holds them all.
    const page = valueOf(await api.listUsers({ filter: { roleId: role.id }, limit: 500 }))
    expect(page.total).toBe(ids.length)
    await vi.waitFor(() => expect(roleIndexTrails(store)).toBe(false), { timeout: 5000 })
    const filed = store.sqlite.prepare('SELECT count(*) FROM users WHERE indexed_role_id = ?').pluck().get(role.id)
    expect(filed).toBe(ids.length)
  })

  it('deletes a role right after a change set, catching its index up a slice at a time while reads are answered', async () => {
    const [from, to] = [valueOf(await api.createRole({ name: 'Support' })), valueOf(await api.createRole({ name: 'Sales' }))]
    const insert = store.sqlite.prepare(
      "INSERT INTO users (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, 'active', 'x', 'x')"
    )
    const ids = Array.from({ length: 4 * FOLD_SLICE }, (_, index) => {
      const id = randomUUID()
      insert.run(id, `mover.${index}@example.org`, `mover.${index}@example.org`)
      return id
    })
    valueOf(await api.saveRoleChanges({ roleId: from.id, add: ids }))
    expect(trailingCount(store)).toBe(ids.length)
    const deleting = api.deleteRole({ id: from.id, moveMembersTo: to.id })
    // Asked while the delete waits for the index: answered before it, with the members still trailing.
    const read = await api.countUsers({})
    expect(read.ok).toBe(true)
    expect(trailingCount(store)).toBeGreaterThan(0)
    valueOf(await deleting)
    expect(valueOf(await api.getRole({ id: to.id })).memberCount).toBe(ids.length)
    expect(store.sqlite.prepare('SELECT count(*) FROM users WHERE indexed_role_id = ?').pluck().get(to.id)).toBe(ids.length)
  })

  it('previews a paste without writing anything', async () => {
    const preview = valueOf(await api.previewInvites({ text: 'a@example.org, b@example.org\nnot-an-address' }))
    expect(preview.entries.filter((entry) => entry.status === 'valid')).toHaveLength(2)
    expect(preview.entries.filter((entry) => entry.status === 'invalid')).toHaveLength(1)
    expect(valueOf(await api.countUsers({})).all).toBe(0)
  })
})

describe('validation errors', () => {
  it('name the field that is wrong', async () => {
    const error = errorOf(await api.createUser({ email: 42 }))
    expect(error.code).toBe('validation')
    expect(error.fields).toHaveProperty('email')
    expect(error.message).toMatch(/^email: /)
  })

  it('give nested paths joined with dots', async () => {
    const role = valueOf(await api.createRole({ name: 'Ops' }))
    const error = errorOf(
      await api.saveRoleChanges({
        roleId: role.id,
        create: [{ email: 'ok@example.org' }, { email: 'x@example.org', tags: ['fine', 7] }]
      })
    )
    expect(error.code).toBe('validation')
    expect(Object.keys(error.fields ?? {})).toEqual(['create.1.tags.1'])
  })

  it('name every unknown field', async () => {
    const error = errorOf(await api.createRole({ name: 'Ops', colour: 'red', owner: 'me' }))
    expect(error).toMatchObject({ code: 'validation', fields: { colour: 'Unknown field', owner: 'Unknown field' } })
  })

  it('report a missing required field', async () => {
    const error = errorOf(await api.getRole({}))
    expect(error).toMatchObject({ code: 'validation' })
    expect(error.fields).toHaveProperty('id')
  })

  it('refuse a value that is not an object at the top', async () => {
    for (const input of [42, 'text', true, [1, 2]]) {
      const error = errorOf(await api.listRoles(input))
      expect(error.code).toBe('validation')
      expect(error.fields).toBeDefined()
    }
  })

  it('refuse anything that is not plain JSON data', async () => {
    class Impostor {
      name = 'Ops'
    }
    const inputs: unknown[] = [
      new Map([['name', 'Ops']]),
      new Date(),
      new Impostor(),
      { name: 'Ops', icon: new Set(['x']) },
      { name: 'Ops', description: 10n },
      { name: 'Ops', description: Number.NaN },
      { name: Symbol('Ops') },
      { name: 'Ops', ipAccess: new Uint8Array(4) },
      // A hole in a list is not JSON.
      { name: 'Ops', ipAccess: new Array<string>(3) }
    ]
    for (const input of inputs) {
      const error = errorOf(await api.createRole(input))
      expect(error.code, String(input)).toBe('validation')
      expect(error.fields, String(input)).toBeDefined()
    }
    expect(valueOf(await api.listRoles({})).roles).toEqual([])
  })

  it('refuse prototype-pollution keys and leave Object.prototype clean', async () => {
    const inputs = [
      '{"name":"Ops","__proto__":{"polluted":true}}',
      '{"name":"Ops","constructor":{"prototype":{"polluted":true}}}',
      '{"id":"00000000-0000-4000-8000-000000000000","patch":{"__proto__":{"adminAccess":true}}}'
    ].map((json): unknown => JSON.parse(json))
    for (const input of inputs) {
      expect(errorOf(await api.createRole(input)).code).toBe('validation')
      expect(errorOf(await api.updateRole(input)).code).toBe('validation')
    }
    expect(Reflect.get({}, 'polluted')).toBeUndefined()
    expect(Reflect.get({}, 'adminAccess')).toBeUndefined()
  })

  it('refuse cyclic or absurdly deep input instead of hanging or crashing', async () => {
    const cyclic: Record<string, unknown> = { name: 'Ops' }
    cyclic.self = cyclic
    expect(errorOf(await api.createRole(cyclic)).code).toBe('validation')

    let deep: unknown = 'bottom'
    for (let level = 0; level < 10_000; level++) deep = [deep]
    expect(errorOf(await api.createRole({ name: 'Ops', ipAccess: deep })).code).toBe('validation')
  })
})

describe('domain errors', () => {
  it('say not_found for a record that does not exist', async () => {
    const error = errorOf(await api.getRole({ id: randomUUID() }))
    expect(error.code).toBe('not_found')
    expect(error.message).not.toMatch(/SELECT|sqlite/i)
  })

  it('say conflict for a name or an email already taken, pointing at the field', async () => {
    valueOf(await api.createRole({ name: 'Support' }))
    const role = errorOf(await api.createRole({ name: 'support' }))
    expect(role.code).toBe('conflict')
    expect(role.fields).toHaveProperty('name')

    valueOf(await api.createUser({ email: 'ada@example.org' }))
    const user = errorOf(await api.createUser({ email: 'ADA@example.org' }))
    expect(user.code).toBe('conflict')
    expect(user.fields).toHaveProperty('email')
  })

  it('turn a unique constraint the services did not foresee into a conflict without SQL', async () => {
    store.sqlite.exec('CREATE UNIQUE INDEX users_title_once ON users (title)')
    valueOf(await api.createUser({ email: 'a@example.org', title: 'Chief' }))
    const error = errorOf(await api.createUser({ email: 'b@example.org', title: 'Chief' }))
    expect(error.code).toBe('conflict')
    expect(JSON.stringify(error)).not.toMatch(/UNIQUE|users_title_once|INSERT|constraint/i)
    expect(valueOf(await api.countUsers({})).all).toBe(1)
  })

  it('answer anything unexpected with a generic internal error and log the details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    store.sqlite.exec('DROP TABLE activity_records')
    const result = await api.createRole({ name: 'Ops' })
    const error = errorOf(result)
    expect(error).toEqual({ code: 'internal', message: INTERNAL_MESSAGE })
    expect(JSON.stringify(result)).not.toMatch(/activity|no such table|at \w+ \(|\.ts/i)
    expect(logged).toHaveBeenCalled()
    expect(String(logged.mock.calls[0]?.slice(1))).toMatch(/activity_records/)
  })

  it('never rejects, even on input that throws when looked at', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('gotcha')
        },
        ownKeys() {
          throw new Error('gotcha')
        }
      }
    )
    for (const name of CALL_NAMES) {
      const result: Result<unknown> = await api[name](hostile)
      expect(result.ok, name).toBe(false)
      expect(JSON.stringify(result)).not.toMatch(/gotcha/)
    }
  })

  it('keeps working after a closed database: every call answers with an error', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    store.close()
    const error = errorOf(await api.listRoles({}))
    expect(error.code).toBe('internal')
  })
})
