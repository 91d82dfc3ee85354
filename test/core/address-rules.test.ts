/**
 * Input that used to slip past the store's rules, on every write path: create, role-page create,
 * invite paste, import, edit and accept. Through the handler map, as the renderer sends it, so
 * "validation, never internal" is checked where it matters.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src-main/ipc/contract'
import { createHandlerMap, type HandlerMap } from '../../src-main/ipc/handlers'
import type { Store } from '../../src-main/core/store'
import { openTestStore } from '../helpers/store'
import { errorOf, valueOf } from '../helpers/results'

/** `café@example.org` spelled two ways that look the same. */
const PRECOMPOSED = 'caf\u00e9@example.org'
const DECOMPOSED = 'cafe\u0301@example.org'
const ZERO_WIDTH = 'ann\u200b@example.org'
const WORD_JOINER = 'a\u2060nn@exam\u00adple.org'
const LONE_SURROGATE = 'bad\ud800@example.org'

let store: Store
let api: HandlerMap
let roleId: string

const users = (): Array<{ email: string; email_key: string }> =>
  store.sqlite.prepare<[], { email: string; email_key: string }>('SELECT email, email_key FROM users ORDER BY rowid').all()
const table = (): unknown => store.sqlite.prepare('SELECT * FROM users ORDER BY rowid').all()

beforeEach(async () => {
  store = await openTestStore()
  api = createHandlerMap({ store, appInfo: { version: '1.0.0', databasePath: ':memory:', runtime: 'desktop' } })
  roleId = valueOf(await api.createRole({ name: 'Editors' })).id
})
afterEach(() => store.close())

describe('an address in NFC and NFD is one user', () => {
  it('create: the second spelling is taken, and the stored address is NFC', async () => {
    const first = valueOf(await api.createUser({ email: DECOMPOSED }))
    expect(first.email).toBe(PRECOMPOSED)
    const second = errorOf(await api.createUser({ email: PRECOMPOSED }))
    expect(second).toMatchObject({ code: 'conflict', fields: { email: 'Already used by another user' } })
    expect(users()).toEqual([{ email: PRECOMPOSED, email_key: PRECOMPOSED }])
  })

  it('role-page create: against the directory and inside one change set', async () => {
    valueOf(await api.createUser({ email: PRECOMPOSED }))
    const against = errorOf(await api.saveRoleChanges({ roleId, create: [{ email: DECOMPOSED }] }))
    expect(against).toMatchObject({ code: 'conflict', fields: { 'create.0.email': 'Already used by another user' } })

    const within = errorOf(
      await api.saveRoleChanges({ roleId, create: [{ email: 'CAFE\u0301@example.org' }, { email: 'Caf\u00e9@Example.org' }] })
    )
    expect(within.fields).toMatchObject({ 'create.1.email': 'Used more than once in this batch' })
    expect(users()).toHaveLength(1)
  })

  it('invite paste: a repeat inside the paste, and an existing user', async () => {
    const batch = valueOf(await api.inviteUsers({ text: `${DECOMPOSED}, ${PRECOMPOSED}`, roleId }))
    expect(batch.results.map((result) => [result.email, result.outcome])).toEqual([
      [PRECOMPOSED, 'invited'],
      [PRECOMPOSED, 'duplicate']
    ])
    valueOf(await api.updateUser({ id: batch.results[0]?.userId ?? '', patch: { status: 'active' } }))
    const again = valueOf(await api.inviteUsers({ text: DECOMPOSED, roleId }))
    expect(again.results[0]).toMatchObject({ outcome: 'already_user', existingStatus: 'active' })
    expect(users()).toEqual([{ email: PRECOMPOSED, email_key: PRECOMPOSED }])
  })

  it('import: a repeat inside the file, and an existing user', async () => {
    valueOf(await api.createUser({ email: PRECOMPOSED }))
    const text = `email,first_name\n${DECOMPOSED},Ann\nbob@example.org,Bob\nBOB@example.org,Bobby\n`
    const preview = valueOf(await api.previewImport({ existing: 'skip', file: { text } })).preview
    expect(preview.rows.map((row) => [row.email, row.outcome])).toEqual([
      [PRECOMPOSED, 'unchanged'],
      ['bob@example.org', 'new'],
      ['BOB@example.org', 'duplicate']
    ])
    const decomposedOnly = `email\nzoe\u0301@example.org\n`
    valueOf(await api.applyImport({ file: { text: decomposedOnly } }))
    expect(users().map((user) => user.email)).toEqual([PRECOMPOSED, 'zo\u00e9@example.org'])
  })

  it('edit: changing an address to another user’s other spelling is refused; changing the spelling keeps the user', async () => {
    const cafe = valueOf(await api.createUser({ email: PRECOMPOSED }))
    const bob = valueOf(await api.createUser({ email: 'bob@example.org' }))
    const taken = errorOf(await api.updateUser({ id: bob.id, patch: { email: DECOMPOSED } }))
    expect(taken).toMatchObject({ code: 'conflict', fields: { 'patch.email': 'Already used by another user' } })
    const same = valueOf(await api.updateUser({ id: cafe.id, patch: { email: DECOMPOSED } }))
    expect(same.email).toBe(PRECOMPOSED)
  })

  it('accept: the invited user keeps the normalised address and can still be found by either spelling', async () => {
    const batch = valueOf(await api.inviteUsers({ text: DECOMPOSED, roleId: null }))
    const token = batch.results[0]?.inviteLink ?? ''
    valueOf(await api.acceptInvite({ token, password: 'a long enough password' }))
    expect(users()).toEqual([{ email: PRECOMPOSED, email_key: PRECOMPOSED }])
    for (const search of ['café', 'cafe\u0301']) {
      const page = valueOf(await api.listUsers({ filter: { search: search.normalize('NFC') } }))
      expect(page.rows.map((user) => user.status)).toEqual(['active'])
    }
  })
})

describe('invisible characters inside an address are stripped on every path', () => {
  it('create and role-page create: stored without them, and the look-alike is taken', async () => {
    const created = valueOf(await api.createUser({ email: ZERO_WIDTH }))
    expect(created.email).toBe('ann@example.org')
    expect(errorOf(await api.createUser({ email: 'ann@example.org' })).code).toBe('conflict')
    const staged = errorOf(await api.saveRoleChanges({ roleId, create: [{ email: WORD_JOINER }] }))
    expect(staged.fields).toMatchObject({ 'create.0.email': 'Already used by another user' })
  })

  it('invite paste: the same address as a user made elsewhere', async () => {
    valueOf(await api.createUser({ email: 'ann@example.org', status: 'invited' }))
    const batch = valueOf(await api.inviteUsers({ text: `${ZERO_WIDTH}\n${WORD_JOINER}`, roleId }))
    expect(batch.results.map((result) => [result.email, result.outcome])).toEqual([
      ['ann@example.org', 'reinvited'],
      ['ann@example.org', 'duplicate']
    ])
  })

  it('import: stored without them, and a repeat of a user is recognised', async () => {
    valueOf(await api.createUser({ email: 'ann@example.org' }))
    const text = `email\n${ZERO_WIDTH}\nzoe\u200d@example.org\n`
    const result = valueOf(await api.applyImport({ existing: 'skip', file: { text } }))
    expect(result.counts).toMatchObject({ new: 1, unchanged: 1 })
    expect(users().map((user) => user.email)).toEqual(['ann@example.org', 'zoe@example.org'])
  })

  it('edit: an address changed to a look-alike of another user’s is refused', async () => {
    valueOf(await api.createUser({ email: 'ann@example.org' }))
    const bob = valueOf(await api.createUser({ email: 'bob@example.org' }))
    expect(errorOf(await api.updateUser({ id: bob.id, patch: { email: WORD_JOINER } })).code).toBe('conflict')
    expect(valueOf(await api.updateUser({ id: bob.id, patch: { email: 'b\ufeffob@example.org' } })).email).toBe('bob@example.org')
  })
})

describe('a lone UTF-16 surrogate in an address is one invalid entry', () => {
  it('create, role-page create and edit: a validation error on the address; nothing is written', async () => {
    const bob = valueOf(await api.createUser({ email: 'bob@example.org' }))
    const before = table()
    const results: Array<Result<unknown>> = [
      await api.createUser({ email: LONE_SURROGATE }),
      await api.saveRoleChanges({ roleId, create: [{ email: 'ok@example.org' }, { email: LONE_SURROGATE }] }),
      await api.updateUser({ id: bob.id, patch: { email: LONE_SURROGATE } })
    ]
    for (const result of results) {
      const error = errorOf(result)
      expect(error.code).toBe('validation')
      expect(Object.values(error.fields ?? {})).toEqual(['Contains a broken character (half of a UTF-16 pair)'])
    }
    expect(table()).toEqual(before)
  })

  it('invite paste: that entry is invalid, the rest are invited', async () => {
    const preview = valueOf(await api.previewInvites({ text: `ok@example.org ${LONE_SURROGATE} b@exam\udc00ple.org` }))
    expect(preview.counts).toEqual({ valid: 1, invalid: 2, duplicate: 0 })
    const batch = valueOf(await api.inviteUsers({ text: `ok@example.org ${LONE_SURROGATE}`, roleId }))
    expect(batch.results.map((result) => [result.outcome, result.reason])).toEqual([
      ['invited', null],
      ['invalid', 'Contains a broken character (half of a UTF-16 pair)']
    ])
    expect(users().map((user) => user.email)).toEqual(['ok@example.org'])
  })

  it('import: that row is invalid with its line, the rest are imported', async () => {
    const text = `email\nok@example.org\n${LONE_SURROGATE}\n`
    const preview = valueOf(await api.previewImport({ file: { text } })).preview
    expect(preview.rows.map((row) => [row.line, row.outcome])).toEqual([
      [2, 'new'],
      [3, 'invalid']
    ])
    // The CSV reader meets the half as U+FFFD: still that one address, refused as not valid.
    expect(preview.rows[1]?.reason).toMatch(/^Email: /)
    expect(valueOf(await api.applyImport({ file: { text } })).counts).toMatchObject({ new: 1, invalid: 1 })
  })
})

describe('a NUL or a lone surrogate in any text field is a validation error, never internal', () => {
  const NUL = 'a\u0000b'
  const HALF = 'a\udfffb'

  it('searches', async () => {
    for (const search of [NUL, HALF]) {
      const results: Array<Result<unknown>> = [
        await api.listUsers({ filter: { search } }),
        await api.listRoles({ search }),
        await api.bulkUpdateUsers({ selection: { filter: { search } }, patch: { status: 'archived' } })
      ]
      for (const result of results) {
        expect(errorOf(result).code).toBe('validation')
      }
    }
  })

  it('role name and description: create, update and the role page', async () => {
    for (const bad of [NUL, HALF]) {
      expect(errorOf(await api.createRole({ name: bad })).fields).toHaveProperty('name')
      expect(errorOf(await api.createRole({ name: 'Fine', description: bad })).fields).toHaveProperty('description')
      expect(errorOf(await api.updateRole({ id: roleId, patch: { name: bad } })).fields).toHaveProperty('patch.name')
      expect(errorOf(await api.saveRoleChanges({ roleId, role: { name: bad } })).fields).toHaveProperty('role.name')
    }
    expect(valueOf(await api.listRoles({})).roles.map((role) => role.name)).toEqual(['Editors'])
  })

  it('user fields: create, role-page create and edit', async () => {
    const bob = valueOf(await api.createUser({ email: 'bob@example.org' }))
    const before = table()
    for (const bad of [NUL, HALF]) {
      for (const field of ['firstName', 'lastName', 'title', 'location', 'description', 'password'] as const) {
        expect(errorOf(await api.createUser({ email: 'new@example.org', [field]: bad })).fields, field).toHaveProperty(field)
        expect(errorOf(await api.saveRoleChanges({ roleId, create: [{ email: 'new@example.org', [field]: bad }] })).fields).toHaveProperty(
          `create.0.${field}`
        )
        expect(errorOf(await api.updateUser({ id: bob.id, patch: { [field]: bad } })).fields).toHaveProperty(`patch.${field}`)
      }
      expect(errorOf(await api.createUser({ email: 'new@example.org', tags: ['ok', bad] })).fields).toHaveProperty('tags.1')
    }
    expect(table()).toEqual(before)
  })

  it('invite paste: a name holding one makes that entry invalid', async () => {
    const batch = valueOf(await api.inviteUsers({ text: `"Ann\u0000" <ann@example.org>, bob@example.org`, roleId }))
    expect(batch.results.map((result) => [result.outcome, result.reason])).toEqual([
      ['invalid', 'The name contains a NUL character'],
      ['invited', null]
    ])
  })

  it('accept: in the names, the password or the token', async () => {
    const batch = valueOf(await api.inviteUsers({ text: 'ivy@example.org', roleId }))
    const token = batch.results[0]?.inviteLink ?? ''
    for (const input of [
      { token, password: 'a long enough password', firstName: NUL },
      { token, password: 'a long enough password', lastName: HALF },
      { token, password: `long enough ${NUL}` },
      { token: `${token}${NUL}`, password: 'a long enough password' }
    ]) {
      expect(errorOf(await api.acceptInvite(input)).code).toBe('validation')
    }
    expect(valueOf(await api.acceptInvite({ token, password: 'a long enough password', firstName: 'Ivy' }))).toEqual({ accepted: true })
  })

  it('settings', async () => {
    expect(errorOf(await api.updateSettings({ inviteUrlTemplate: `https://example.org/?t={token}${NUL}` })).code).toBe('validation')
    expect(errorOf(await api.updateSettings({ passwordPolicy: { kind: 'custom', pattern: HALF } })).code).toBe('validation')
  })
})
