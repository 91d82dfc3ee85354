import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listActivity } from '../../src-main/core/activity'
import {
  checkPassword,
  getSettings,
  inviteSettings,
  passwordPolicyProblem,
  passwordPolicyText,
  passwordProblem,
  updateSettings
} from '../../src-main/core/settings'
import type { Store } from '../../src-main/core/store'
import { contract } from '../../src-main/ipc/contract'
import { openTestStore } from '../helpers/store'

let store: Store
beforeEach(async () => {
  store = await openTestStore()
})
afterEach(() => store.close())

describe('settings', () => {
  it('start from the defaults', () => {
    expect(getSettings(store)).toEqual({
      inviteUrlTemplate: null,
      inviteLifetimeDays: 7,
      passwordPolicy: { kind: 'min8', pattern: null },
      passwordPolicyText: 'At least 8 characters.',
      theme: 'system'
    })
    expect(inviteSettings(store)).toEqual({ inviteUrlTemplate: null, inviteLifetimeDays: 7 })
  })

  it('keep what was saved, field by field', () => {
    updateSettings(store, { inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}' })
    const saved = updateSettings(store, { inviteLifetimeDays: 14, theme: 'dark' })
    expect(saved).toMatchObject({
      inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}',
      inviteLifetimeDays: 14,
      theme: 'dark'
    })
    expect(getSettings(store)).toEqual(saved)
    expect(updateSettings(store, { inviteUrlTemplate: null }).inviteUrlTemplate).toBeNull()
  })

  it('log each change with before and after, and nothing when nothing changed', () => {
    updateSettings(store, { inviteLifetimeDays: 3 })
    updateSettings(store, { inviteLifetimeDays: 3 })
    const rows = listActivity(store, { collection: 'settings', limit: 10 }).rows
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      action: 'settings.update',
      actor: 'tester',
      recordIds: ['inviteLifetimeDays'],
      before: { inviteLifetimeDays: 7 },
      after: { inviteLifetimeDays: 3 }
    })
  })

  it('log a password policy with its words as they read then', () => {
    updateSettings(store, { passwordPolicy: { kind: 'strong', pattern: null } })
    const [entry] = listActivity(store, { collection: 'settings', limit: 10 }).rows
    expect(entry?.before).toEqual({
      passwordPolicy: { kind: 'min8', pattern: null },
      passwordPolicyText: passwordPolicyText({ kind: 'min8', pattern: null })
    })
    expect(entry?.after).toMatchObject({
      passwordPolicy: { kind: 'strong', pattern: null },
      passwordPolicyText: expect.stringMatching(/12/)
    })
  })

  it('drop a stored pattern when the policy is not custom', () => {
    expect(updateSettings(store, { passwordPolicy: { kind: 'strong', pattern: 'x+' } }).passwordPolicy).toEqual({
      kind: 'strong',
      pattern: null
    })
  })

  it('fall back to the default for a damaged stored value', () => {
    store
      .prepare(
        `INSERT INTO settings (key, value) VALUES ('inviteLifetimeDays', '"forever"'), ('theme', 'not json'),
      ('passwordPolicy', '{"kind":"custom","pattern":null}'), ('somethingElse', '1')`
      )
      .run()
    expect(getSettings(store)).toMatchObject({
      inviteLifetimeDays: 7,
      theme: 'system',
      passwordPolicy: { kind: 'min8', pattern: null }
    })
  })

  it('are validated at the boundary: lifetime, template and custom pattern', () => {
    const schema = contract.updateSettings.input
    expect(schema.safeParse({ inviteLifetimeDays: 0 }).success).toBe(false)
    expect(schema.safeParse({ inviteLifetimeDays: 366 }).success).toBe(false)
    expect(schema.safeParse({ inviteUrlTemplate: 'https://example.org/accept' }).success).toBe(false)
    expect(schema.safeParse({ inviteUrlTemplate: 'javascript:alert({token})' }).success).toBe(false)
    expect(schema.safeParse({ passwordPolicy: { kind: 'custom', pattern: null } }).success).toBe(false)
    expect(schema.safeParse({ passwordPolicy: { kind: 'custom', pattern: '(' } }).success).toBe(false)
    expect(schema.safeParse({ theme: 'neon' }).success).toBe(false)
    expect(schema.safeParse({ inviteUrlTemplate: 'https://example.org/a?t={token}', inviteLifetimeDays: 30 }).success).toBe(true)
  })
})

describe('password policy', () => {
  it('is told in words for each kind', () => {
    expect(passwordPolicyText({ kind: 'none', pattern: null })).toBe('Any password that is not empty.')
    expect(passwordPolicyText({ kind: 'min8', pattern: null })).toBe('At least 8 characters.')
    expect(passwordPolicyText({ kind: 'strong', pattern: null })).toBe(
      'At least 12 characters, with an upper-case letter, a lower-case letter, a digit and a symbol.'
    )
    expect(passwordPolicyText({ kind: 'custom', pattern: '[a-z]{10,}' })).toBe('Must match the pattern [a-z]{10,}')
  })

  it('none: any password that is not empty', () => {
    expect(passwordPolicyProblem({ kind: 'none', pattern: null }, 'a')).toBeNull()
    expect(passwordPolicyProblem({ kind: 'none', pattern: null }, '')).toMatch(/empty/)
  })

  it('min8: counts characters, not bytes', () => {
    const policy = { kind: 'min8', pattern: null } as const
    expect(passwordPolicyProblem(policy, '1234567')).toMatch(/8 characters/)
    expect(passwordPolicyProblem(policy, '12345678')).toBeNull()
    expect(passwordPolicyProblem(policy, '😀😀😀😀')).toMatch(/8 characters/)
  })

  it('strong: names everything that is missing', () => {
    const policy = { kind: 'strong', pattern: null } as const
    expect(passwordPolicyProblem(policy, 'Abcdefghijk1!')).toBeNull()
    expect(passwordPolicyProblem(policy, 'Ünïcødé-Päss9')).toBeNull()
    expect(passwordPolicyProblem(policy, 'abc')).toBe(
      'The password needs at least 12 characters, an upper-case letter, a digit and a symbol.'
    )
    expect(passwordPolicyProblem(policy, 'ABCDEFGHIJKL1!')).toBe('The password needs a lower-case letter.')
  })

  it('custom: the whole password must match the pattern', () => {
    const policy = { kind: 'custom', pattern: '[a-z]+\\d' } as const
    expect(passwordPolicyProblem(policy, 'abc1')).toBeNull()
    expect(passwordPolicyProblem(policy, 'abc1 and more')).toBe('The password must match the pattern [a-z]+\\d')
    expect(passwordPolicyProblem(policy, 'xx abc1')).not.toBeNull()
  })

  it('applies the saved policy through checkPassword and passwordProblem', () => {
    expect(checkPassword(store, { password: 'short' })).toEqual({ ok: false, message: 'At least 8 characters are required.' })
    updateSettings(store, { passwordPolicy: { kind: 'none', pattern: null } })
    expect(checkPassword(store, { password: 'short' })).toEqual({ ok: true, message: null })
    updateSettings(store, { passwordPolicy: { kind: 'custom', pattern: '\\d{6}' } })
    expect(passwordProblem(store, '123456')).toBeNull()
    expect(passwordProblem(store, '12345a')).toMatch(/pattern/)
    expect(getSettings(store).passwordPolicyText).toBe('Must match the pattern \\d{6}')
  })
})
