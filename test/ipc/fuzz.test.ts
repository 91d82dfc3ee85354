/**
 * Every contract call, fed malformed input: each case starts from an input that is valid for the
 * call and breaks it in one way (a field of the wrong type, a required field missing, an unknown
 * field, a string over every limit, a prototype-pollution key, a list or a number where an
 * object belongs), or sends something that is not an object at all. Each must come back as a
 * validation error with field paths, and the database must be exactly as it was.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../../src-main/core/store'
import { LIMITS } from '../../src-main/core/model'
import { CALL_NAMES, contract, type CallName, type Result } from '../../src-main/ipc/contract'
import { createHandlerMap, type HandlerMap } from '../../src-main/ipc/handlers'
import { openTestStore } from '../helpers/store'

const RUNS_PER_CALL = 200

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = ReadonlyArray<string | number>

interface Seed {
  roleId: string
  otherRoleId: string
  userId: string
  invitedUserId: string
}

const EXPORT_ID = '0b6f3c52-6a4e-4d8e-9d0b-2f1c9a7e5d31'

/** For each call, an input that is valid, and the top-level fields that cannot be left out. */
function validInputs(seed: Seed): { [K in CallName]: { input: Json; required: string[] } } {
  return {
    getAppInfo: { input: {}, required: [] },
    listRoles: { input: { search: 'Ed' }, required: [] },
    getRole: { input: { id: seed.roleId }, required: ['id'] },
    createRole: {
      input: { name: 'Reviewers', icon: 'star', description: 'Reads', adminAccess: false, ipAccess: ['10.0.0.0/8'] },
      required: ['name']
    },
    updateRole: { input: { id: seed.roleId, patch: { name: 'Renamed', enforceTfa: true } }, required: ['id', 'patch'] },
    deleteRole: { input: { id: seed.roleId, moveMembersTo: seed.otherRoleId }, required: ['id', 'moveMembersTo'] },
    saveRoleChanges: {
      input: {
        roleId: seed.roleId,
        role: { description: 'Changed' },
        create: [{ email: 'new@example.org', firstName: 'New', tags: ['a'] }],
        add: [seed.userId],
        remove: []
      },
      required: ['roleId']
    },
    listUsers: {
      input: { filter: { search: 'a', status: ['active'] }, sort: { field: 'email', direction: 'desc' }, limit: 10 },
      required: []
    },
    countUsers: { input: {}, required: [] },
    getUser: { input: { id: seed.userId }, required: ['id'] },
    createUser: {
      input: { email: 'fresh@example.org', firstName: 'Fresh', status: 'draft', roleId: seed.roleId },
      required: ['email']
    },
    updateUser: { input: { id: seed.userId, patch: { lastName: 'Changed', status: 'suspended' } }, required: ['id', 'patch'] },
    bulkUpdateUsers: {
      input: { selection: { ids: [seed.userId] }, patch: { roleId: seed.otherRoleId } },
      required: ['selection', 'patch']
    },
    deleteUsers: { input: { selection: { filter: { roleId: seed.otherRoleId } } }, required: ['selection'] },
    previewInvites: { input: { text: 'a@example.org; Bob <b@example.org>' }, required: ['text'] },
    inviteUsers: {
      input: { text: 'c@example.org', roleId: seed.roleId, operationId: EXPORT_ID },
      required: ['text', 'roleId']
    },
    resendInvite: { input: { userId: seed.invitedUserId }, required: ['userId'] },
    revokeInvite: { input: { userId: seed.invitedUserId }, required: ['userId'] },
    getInviteLink: { input: { userId: seed.invitedUserId }, required: ['userId'] },
    listInvites: { input: { roleId: seed.roleId, limit: 50 }, required: [] },
    acceptInvite: { input: { token: 'sometoken', password: 'correct horse battery', firstName: 'Ada' }, required: ['token', 'password'] },
    getInviteVerification: { input: {}, required: [] },
    exportVerificationKey: { input: {}, required: [] },
    getSettings: { input: {}, required: [] },
    updateSettings: {
      input: { inviteLifetimeDays: 14, passwordPolicy: { kind: 'min8', pattern: null }, theme: 'dark' },
      required: []
    },
    checkPassword: { input: { password: 'secret' }, required: ['password'] },
    getDirectusTarget: { input: {}, required: [] },
    saveDirectusTarget: { input: { publicUrl: 'https://cms.example.org', secret: 'directus-secret' }, required: ['publicUrl'] },
    clearDirectusTarget: { input: {}, required: [] },
    previewExport: {
      input: { scope: { kind: 'allInvites' }, format: 'ldif', ldifBaseDn: 'dc=example,dc=org' },
      required: ['scope', 'format']
    },
    exportInvites: {
      input: { exportId: EXPORT_ID, scope: { kind: 'roleInvites', roleId: seed.roleId }, format: 'csv', bom: false },
      required: ['exportId', 'scope', 'format']
    },
    cancelOperation: { input: { operationId: EXPORT_ID }, required: ['operationId'] },
    // A file id, not text: a string over every other limit is still a valid import file.
    previewImport: { input: { file: { fileId: EXPORT_ID }, existing: 'update', newUsersAs: 'draft' }, required: [] },
    applyImport: { input: { file: { fileId: EXPORT_ID }, existing: 'skip', operationId: EXPORT_ID }, required: ['file'] },
    backupDatabase: { input: {}, required: [] },
    openDatabase: { input: { operationId: EXPORT_ID, requested: false }, required: [] },
    showSavedFile: { input: { savedFileId: EXPORT_ID }, required: ['savedFileId'] },
    listActivity: { input: { collection: 'users', limit: 20 }, required: [] }
  }
}

// ---------------------------------------------------------------------------------------------
// Breaking a valid input

const isObject = (value: Json): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every place in `value` a mutation can target, with the value there. */
function pathsOf(value: Json, path: Path = []): Array<{ path: Path; value: Json }> {
  const here = path.length > 0 ? [{ path, value }] : []
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => pathsOf(item, [...path, index]))]
  if (isObject(value)) return [...here, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...path, key]))]
  return here
}

/** The paths of every object in `value`, the top included. */
function objectPaths(value: Json): Path[] {
  const root: Path[] = isObject(value) ? [[]] : []
  return [
    ...root,
    ...pathsOf(value)
      .filter((entry) => isObject(entry.value))
      .map((entry) => entry.path)
  ]
}

function at(value: Json, path: Path): Json {
  let current: Json = value
  for (const step of path) {
    if (Array.isArray(current) && typeof step === 'number') current = current[step] ?? null
    else if (isObject(current) && typeof step === 'string') current = current[step] ?? null
    else return null
  }
  return current
}

/** A deep copy of `value` with the thing at `path` replaced (or removed with `remove`). */
function replaced(value: Json, path: Path, next: Json | typeof remove): Json {
  if (path.length === 0) return next === remove ? {} : next
  const [step, ...rest] = path
  if (Array.isArray(value) && typeof step === 'number') {
    return value.map((item, index) => (index === step ? replaced(item, rest, next) : item))
  }
  if (isObject(value) && typeof step === 'string') {
    const copy: { [key: string]: Json } = { ...value }
    const inner = value[step] ?? null
    if (rest.length === 0 && next === remove) delete copy[step]
    else copy[step] = rest.length === 0 && next !== remove ? next : replaced(inner, rest, next)
    return copy
  }
  return value
}
const remove = Symbol('remove')

const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>
const smallArray = fc.array(json, { maxLength: 3 })
const smallObject = fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 })

/** A value of another JSON kind than `value`: no field of the contract accepts two kinds. */
function otherKind(value: Json): fc.Arbitrary<Json> {
  const strings = fc.string({ maxLength: 20 })
  const numbers = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
  const booleans = fc.boolean()
  if (typeof value === 'string') return fc.oneof(numbers, booleans, smallArray, smallObject)
  if (typeof value === 'number') return fc.oneof(strings, booleans, smallArray, smallObject)
  if (typeof value === 'boolean') return fc.oneof(strings, numbers, smallArray, smallObject)
  if (Array.isArray(value)) return fc.oneof(strings, numbers, booleans, smallObject)
  if (value === null) return fc.oneof(numbers, booleans, smallArray, smallObject)
  // Objects: nothing in the contract is a nullable object, so null is wrong here too.
  return fc.oneof(strings, numbers, booleans, smallArray, fc.constant(null))
}

/** Longer than every string limit in the contract (the largest is a paste). */
const HUGE = 'x'.repeat(LIMITS.pasteCharacters + 1)
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const

/** Field names no schema has: odd punctuation, or names of Object.prototype's members. */
const unknownKey = fc.oneof(
  fc.string({ maxLength: 12 }).map((text) => `${text}-extra`),
  fc.constantFrom('isAdmin', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '', ' ', 'ID')
)

type Malformed = { input: unknown; how: string }

function malformedInputs(valid: Json, required: readonly string[]): fc.Arbitrary<Malformed> {
  const leaves = pathsOf(valid)
  const objects = objectPaths(valid)
  const strings = leaves.filter((entry) => typeof entry.value === 'string').map((entry) => entry.path)
  const numbers = leaves.filter((entry) => typeof entry.value === 'number').map((entry) => entry.path)

  const notAnObject = fc
    .oneof(
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 30 }),
      fc.boolean(),
      fc.array(json, { maxLength: 4 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)
    )
    .map((input): Malformed => ({ input, how: 'not an object' }))

  const unknownField = fc.tuple(fc.constantFrom(...objects), unknownKey, json).map(([path, key, extra]): Malformed => {
    const target = at(valid, path)
    const object = isObject(target) ? target : {}
    return { input: replaced(valid, path, { ...object, [key]: extra }), how: `unknown field ${key} at ${path.join('.')}` }
  })

  const pollution = fc.tuple(fc.constantFrom(...objects), fc.constantFrom(...POLLUTION_KEYS), json).map(([path, key, extra]): Malformed => {
    const target = at(valid, path)
    const text = JSON.stringify(replaced(valid, path, { ...(isObject(target) ? target : {}), __marker__: 0 }))
    // JSON.parse makes `__proto__` an own key, as a payload from outside would.
    const input: unknown = JSON.parse(
      text.replace('"__marker__":0', () => `${JSON.stringify(key)}:${JSON.stringify({ polluted: true, extra })}`)
    )
    return { input, how: `${key} at ${path.join('.')}` }
  })

  const options: Array<fc.Arbitrary<Malformed>> = [notAnObject, unknownField, pollution]

  if (leaves.length > 0) {
    options.push(
      fc
        .constantFrom(...leaves)
        .chain((entry) => otherKind(entry.value).map((next) => ({ entry, next })))
        .map(({ entry, next }): Malformed => ({ input: replaced(valid, entry.path, next), how: `wrong type at ${entry.path.join('.')}` }))
    )
  }
  if (strings.length > 0) {
    options.push(
      fc
        .constantFrom(...strings)
        .map((path): Malformed => ({ input: replaced(valid, path, HUGE), how: `huge string at ${path.join('.')}` }))
    )
  }
  if (numbers.length > 0) {
    const outOfRange = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 501 }), fc.double({ min: 1.1, max: 99.9, noInteger: true }))
    options.push(
      fc
        .tuple(fc.constantFrom(...numbers), outOfRange)
        .map(([path, next]): Malformed => ({ input: replaced(valid, path, next), how: `number out of range at ${path.join('.')}` }))
    )
  }
  if (required.length > 0) {
    options.push(fc.constantFrom(...required).map((key): Malformed => ({ input: replaced(valid, [key], remove), how: `missing ${key}` })))
    // Nothing at all is the same as an empty object: wrong wherever a field is required.
    options.push(fc.constantFrom(null, undefined, {}).map((input): Malformed => ({ input, how: 'empty' })))
  }
  if (objects.length > 1) {
    const nested = objects.filter((path) => path.length > 0)
    options.push(
      fc
        .tuple(fc.constantFrom(...nested), fc.oneof(smallArray, fc.integer(), fc.constant(null)))
        .map(([path, next]): Malformed => ({ input: replaced(valid, path, next), how: `not an object at ${path.join('.')}` }))
    )
  }
  return fc.oneof(...options)
}

// ---------------------------------------------------------------------------------------------
// The database, before and after

function fingerprint(store: Store): string {
  const hash = createHash('sha256')
  const tables = store.sqlite
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all()
  for (const table of tables) {
    hash.update(`${String(table)}\n`)
    const rows = store.sqlite
      .prepare(`SELECT * FROM "${String(table)}"`)
      .raw()
      .all()
    const lines = rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value)))
    // Some tables have no rowid: compare the rows as a set.
    hash.update(lines.sort().join('\n'))
  }
  hash.update(String(store.sqlite.pragma('user_version', { simple: true })))
  return hash.digest('hex')
}

/** Rows inserted, updated or deleted through this connection since it was opened. */
function writeCount(store: Store): number {
  return Number(store.sqlite.prepare('SELECT total_changes()').pluck().get())
}

async function seeded(): Promise<{ store: Store; api: HandlerMap; seed: Seed }> {
  const store = await openTestStore()
  const api = createHandlerMap({ store, appInfo: { version: '1.0.0', databasePath: ':memory:', runtime: 'host' } })
  const value = <T>(result: Result<T>): T => {
    if (!result.ok) throw new Error(`Seeding failed: ${result.error.message}`)
    return result.value
  }
  const admins = value(await api.createRole({ name: 'Administrators', adminAccess: true }))
  const editors = value(await api.createRole({ name: 'Editors' }))
  value(await api.createUser({ email: 'admin@example.org', firstName: 'Ada', roleId: admins.id }))
  const user = value(await api.createUser({ email: 'ed@example.org', firstName: 'Ed', roleId: editors.id }))
  value(await api.createUser({ email: 'pat@example.org', status: 'suspended' }))
  const batch = value(await api.inviteUsers({ text: 'invitee@example.org, Two <two@example.org>', roleId: editors.id }))
  const invitedUserId = batch.results[0]?.userId
  if (!invitedUserId) throw new Error('Seeding failed: no invite')
  value(await api.updateSettings({ inviteUrlTemplate: 'https://example.org/join?t={token}' }))
  return { store, api, seed: { roleId: editors.id, otherRoleId: admins.id, userId: user.id, invitedUserId } }
}

// ---------------------------------------------------------------------------------------------

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort()

describe('malformed input to every call', () => {
  let fixture: Awaited<ReturnType<typeof seeded>>
  beforeAll(async () => {
    fixture = await seeded()
  })
  afterAll(() => {
    fixture.store.close()
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore)
    expect(Reflect.get({}, 'polluted')).toBeUndefined()
  })

  it('starts every case from an input the call accepts', () => {
    const inputs = validInputs(fixture.seed)
    for (const name of CALL_NAMES) {
      const parsed = contract[name].input.safeParse(inputs[name].input)
      expect(parsed.success, `${name}: ${parsed.error?.message ?? ''}`).toBe(true)
    }
  })

  for (const name of CALL_NAMES) {
    it(`${name}: is refused as a validation error and changes nothing`, async () => {
      const { store, api, seed } = fixture
      const { input: valid, required } = validInputs(seed)[name]
      const before = fingerprint(store)
      const writesBefore = writeCount(store)
      let runs = 0
      await fc.assert(
        fc.asyncProperty(malformedInputs(valid, required), async ({ input, how }) => {
          runs++
          const result: Result<unknown> = await api[name](input)
          if (result.ok) throw new Error(`${name} accepted malformed input (${how})`)
          expect(result.error.code, how).toBe('validation')
          expect(Object.keys(result.error.fields ?? {}).length, how).toBeGreaterThan(0)
          expect(JSON.stringify(result.error), how).not.toMatch(/\n\s+at /)
          // Not one row written, not even by a statement later rolled back.
          expect(writeCount(store), how).toBe(writesBefore)
          expect(Reflect.get({}, 'polluted'), how).toBeUndefined()
        }),
        { numRuns: RUNS_PER_CALL }
      )
      expect(runs).toBeGreaterThanOrEqual(RUNS_PER_CALL)
      expect(fingerprint(store)).toBe(before)
    })
  }
})
