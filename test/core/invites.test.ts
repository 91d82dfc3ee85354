import { randomBytes, randomUUID } from 'node:crypto'
import { copyFileSync } from 'node:fs'
import { jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listActivity } from '../../src-main/core/activity'
import { freshInviteFields } from '../../src-main/core/invite-tokens'
import {
  acceptInvite,
  getInviteLink,
  INVITE_INVALID_MESSAGE,
  INVITE_LIST_SQL,
  inviteUsers,
  listInvites,
  resendInvite,
  revokeInvite
} from '../../src-main/core/invites'
import type { InviteBatch, InviteResult, UserStatus } from '../../src-main/core/model'
import { verifyPassword } from '../../src-main/core/passwords'
import { updateUserInput } from '../../src-main/core/inputs'
import { createRole, updateRole } from '../../src-main/core/roles'
import { updateUser } from '../../src-main/core/users'
import { updateSettings } from '../../src-main/core/settings'
import { openStore, type Store } from '../../src-main/core/store'
import { getUser } from '../../src-main/core/user-directory'
import { legacyInviteToken, legacyTokenUserId } from '../../src-main/core/legacy-invite-tokens'
import { failure, rejection } from '../helpers/domain'
import { testInviteKeys } from '../helpers/keys'
import { openTestStore, tempDir } from '../helpers/store'

const START = new Date('2026-03-01T09:00:00.000Z')
const DAY = 24 * 60 * 60 * 1000
const GOOD_PASSWORD = 'correct horse battery'

let clock: Date
let store: Store

beforeEach(async () => {
  clock = START
  store = await openTestStore({ now: () => clock })
})
afterEach(() => store.close())

function role(name: string): string {
  return createRole(store, { name }).id
}

interface UserRowForTest {
  id: string
  email: string
  status: UserStatus
  role_id: string | null
  first_name: string | null
  last_name: string | null
  password_hash: string | null
  invited_at: string | null
  invite_expires_at: string | null
  invite_nonce: string | null
  updated_at: string
}

function row(email: string): UserRowForTest | undefined {
  return store
    .prepare(
      'SELECT id, email, status, role_id, first_name, last_name, password_hash, invited_at, invite_expires_at, invite_nonce, updated_at FROM users WHERE email_key = lower(?)'
    )
    .get(email) as UserRowForTest | undefined // the columns selected
}

function userCount(): number {
  return Number(store.prepare('SELECT count(*) FROM users').pluck().get())
}

/** An existing user written straight into the table, in any status. */
function existingUser(email: string, status: UserStatus, roleId: string | null = null): string {
  const id = randomUUID()
  const at = new Date(START.getTime() - DAY).toISOString()
  store
    .prepare(`INSERT INTO users (id, email, email_key, status, role_id, created_at, updated_at) VALUES (?, ?, lower(?), ?, ?, ?, ?)`)
    .run(id, email, email, status, roleId, at, at)
  return id
}

function invite(text: string, roleId: string | null = null): Promise<InviteBatch> {
  return inviteUsers(store, { text, roleId })
}

function only(batch: InviteBatch): InviteResult {
  expect(batch.results).toHaveLength(1)
  const [result] = batch.results
  if (!result) throw new Error('no result')
  return result
}

function linkOf(result: InviteResult): string {
  if (result.inviteLink === null) throw new Error(`no link for ${result.raw}`)
  return result.inviteLink
}

async function expectInviteInvalid(run: () => Promise<unknown>): Promise<void> {
  const error = await rejection(run)
  expect(error.code).toBe('invite_invalid')
  expect(error.message).toBe(INVITE_INVALID_MESSAGE)
  expect(error.fields).toBeUndefined()
}

describe('inviteUsers: the outcome per address', () => {
  it('creates an unknown address as an invited user in the chosen role, with a link that expires after the lifetime', async () => {
    const editors = role('Editors')
    const result = only(await invite('"Smith, Ann" <Ann@Example.org>', editors))
    expect(result).toMatchObject({
      outcome: 'invited',
      email: 'Ann@Example.org',
      reason: null,
      existingStatus: null,
      inviteExpiresAt: new Date(START.getTime() + 7 * DAY).toISOString()
    })
    const user = getUser(store, { id: result.userId ?? '' })
    expect(user).toMatchObject({
      email: 'Ann@Example.org',
      firstName: 'Ann',
      lastName: 'Smith',
      status: 'invited',
      roleId: editors,
      roleName: 'Editors',
      hasPassword: false,
      invitedAt: START.toISOString(),
      inviteExpiresAt: result.inviteExpiresAt
    })
    expect(linkOf(result)).toMatch(/^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/)
  })

  it('invites into Public when no role is chosen', async () => {
    const result = only(await invite('ann@example.org', null))
    expect(getUser(store, { id: result.userId ?? '' }).roleId).toBeNull()
  })

  it('refuses an unknown role and writes nothing', async () => {
    const error = await rejection(() => invite('ann@example.org', randomUUID()))
    expect(error.code).toBe('not_found')
    expect(error.fields).toHaveProperty('roleId')
    expect(userCount()).toBe(0)
  })

  it('re-invites an invited user: new token, new expiry, moved to the chosen role, old token dead', async () => {
    const editors = role('Editors')
    const viewers = role('Viewers')
    const first = only(await invite('ann@example.org', editors))
    clock = new Date(START.getTime() + 2 * DAY)
    const second = only(await invite('ANN@example.org', viewers))

    expect(second.outcome).toBe('reinvited')
    expect(second.userId).toBe(first.userId)
    expect(second.inviteExpiresAt).toBe(new Date(START.getTime() + 9 * DAY).toISOString())
    expect(second.inviteLink).not.toBe(first.inviteLink)
    expect(userCount()).toBe(1)
    expect(row('ann@example.org')).toMatchObject({ role_id: viewers, status: 'invited', email: 'ann@example.org' })

    await expectInviteInvalid(() => acceptInvite(store, { token: linkOf(first), password: GOOD_PASSWORD }))
    expect(await acceptInvite(store, { token: linkOf(second), password: GOOD_PASSWORD })).toEqual({ accepted: true })
  })

  it.each(['draft', 'active', 'suspended', 'archived'] as const)(
    'reports a %s user as already a user and leaves them as they were',
    async (status) => {
      const editors = role('Editors')
      const id = existingUser('bob@example.org', status)
      const before = row('bob@example.org')
      const result = only(await invite('Bob@Example.org', editors))
      expect(result).toMatchObject({
        outcome: 'already_user',
        reason: `already a user (${status})`,
        existingStatus: status,
        userId: id,
        inviteLink: null,
        inviteExpiresAt: null
      })
      expect(row('bob@example.org')).toEqual(before)
    }
  )

  it('reports invalid addresses with their reason and does not write them', async () => {
    const batch = await invite('not-an-address, ok@example.org')
    expect(batch.results[0]).toMatchObject({ outcome: 'invalid', userId: null, inviteLink: null })
    expect(batch.results[0]?.reason).toBeTruthy()
    expect(userCount()).toBe(1)
  })

  it('invites the rows of a spreadsheet pasted with its header row, names from their columns, the header not at all', async () => {
    const batch = await invite('Email\tFirst name\tLast name\nzoe@example.org\tZoë\tNovak\n')
    expect(batch.results.map((result) => [result.outcome, result.email])).toEqual([['invited', 'zoe@example.org']])
    expect(getUser(store, { id: batch.results[0]?.userId ?? '' })).toMatchObject({ firstName: 'Zoë', lastName: 'Novak' })
  })

  it('writes a repeated address once and reports the repeat', async () => {
    const batch = await invite('ann@example.org\nANN@EXAMPLE.ORG, Ann <ann@example.org>')
    expect(batch.results.map((result) => result.outcome)).toEqual(['invited', 'duplicate', 'duplicate'])
    expect(batch.results[1]?.reason).toContain('ann@example.org')
    expect(userCount()).toBe(1)
  })

  it('treats an international domain and its upper-case form as one user', async () => {
    const batch = await invite('user@bücher.de USER@BÜCHER.de')
    expect(batch.results.map((result) => result.outcome)).toEqual(['invited', 'duplicate'])
    expect(only(await invite('user@xn--bcher-kva.de')).outcome).toBe('reinvited')
  })

  it('returns every entry in paste order with counts per outcome', async () => {
    existingUser('active@example.org', 'active')
    await invite('pending@example.org')
    const batch = await invite('new@example.org; bad; active@example.org pending@example.org NEW@example.org')
    expect(batch.results.map((result) => [result.raw, result.outcome])).toEqual([
      ['new@example.org', 'invited'],
      ['bad', 'invalid'],
      ['active@example.org', 'already_user'],
      ['pending@example.org', 'reinvited'],
      ['NEW@example.org', 'duplicate']
    ])
    expect(batch.counts).toEqual({ invited: 1, reinvited: 1, already_user: 1, invalid: 1, duplicate: 1 })
  })

  it('records one activity entry listing the invited and re-invited users', async () => {
    await invite('pending@example.org')
    const batch = await invite('a@example.org b@example.org pending@example.org bad')
    const [entry] = listActivity(store, { action: 'user.invite', limit: 10 }).rows
    expect(entry?.actor).toBe('tester')
    expect(entry?.collection).toBe('users')
    expect(entry?.recordIds).toEqual(batch.results.slice(0, 3).map((result) => result.userId))
    expect(entry?.summary).toBe('Invited 2 users and re-invited 1 user into Public')
    expect(entry?.after).toMatchObject({ roleId: null, roleName: null, invited: 2, reinvited: 1 })
  })

  it("keeps the role's name as it was when the users were invited", () => {
    const editors = role('Editors')
    invite('named@example.org', editors)
    updateRole(store, { id: editors, patch: { name: 'Writers' } })
    const [entry] = listActivity(store, { action: 'user.invite', limit: 10 }).rows
    expect(entry?.after).toMatchObject({ roleId: editors, roleName: 'Editors' })
  })

  it('records nothing when nothing was written', async () => {
    await invite('bad, worse')
    expect(listActivity(store, { limit: 10 }).rows).toEqual([])
  })

  it('is all or nothing: a failure in the middle of the batch leaves no user behind', async () => {
    await invite('pending@example.org')
    const before = row('pending@example.org')
    store.sqlite.exec(`CREATE TRIGGER refuse_one BEFORE INSERT ON users WHEN new.email = 'c@example.org'
      BEGIN SELECT raise(ABORT, 'refused'); END`)
    await expect(invite('a@example.org pending@example.org b@example.org c@example.org')).rejects.toThrow('refused')
    expect(userCount()).toBe(1)
    expect(row('pending@example.org')).toEqual(before)
  })

  it('builds links from the URL template with the token and address URL-encoded', async () => {
    updateSettings(store, { inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}&email={email}' })
    const result = only(await invite('ann+test@example.org'))
    const url = new URL(linkOf(result))
    expect(url.origin + url.pathname).toBe('https://intranet.example.org/accept')
    expect(linkOf(result)).toContain('email=ann%2Btest%40example.org')
    expect(url.searchParams.get('email')).toBe('ann+test@example.org')
    expect(url.searchParams.get('token')).toMatch(/^eyJ[A-Za-z0-9_.-]+$/)
  })

  it('uses the invite lifetime setting', async () => {
    updateSettings(store, { inviteLifetimeDays: 30 })
    expect(only(await invite('ann@example.org')).inviteExpiresAt).toBe(new Date(START.getTime() + 30 * DAY).toISOString())
  })

  it('stores no usable token in the database', async () => {
    const result = only(await invite('ann@example.org'))
    const stored = JSON.stringify(store.prepare('SELECT * FROM users').all())
    expect(stored).not.toContain(linkOf(result))
  })
})

describe('resendInvite, revokeInvite and getInviteLink', () => {
  it('resend gives a new link with a new expiry and kills the old one', async () => {
    const first = only(await invite('ann@example.org'))
    clock = new Date(START.getTime() + DAY)
    const resent = await resendInvite(store, { userId: first.userId ?? '' })
    expect(resent.inviteExpiresAt).toBe(new Date(START.getTime() + 8 * DAY).toISOString())
    expect(resent.inviteLink).not.toBe(first.inviteLink)
    expect(listActivity(store, { action: 'user.invite.resend', limit: 5 }).rows).toHaveLength(1)
    await expectInviteInvalid(() => acceptInvite(store, { token: linkOf(first), password: GOOD_PASSWORD }))
    await acceptInvite(store, { token: resent.token, password: GOOD_PASSWORD })
  })

  it('a new address kills the links sent to the old one; the new link names the new address and keeps the expiry', async () => {
    const first = only(await invite('ann@example.org'))
    const id = first.userId ?? ''
    const renamed = updateUser(store, updateUserInput.parse({ id, patch: { firstName: 'Ann' } }))
    expect(renamed.inviteExpiresAt).toBe(first.inviteExpiresAt)
    // A change that leaves the address alone leaves the link working.
    expect((await getInviteLink(store, { userId: id })).inviteLink).toBe(first.inviteLink)

    const moved = updateUser(store, updateUserInput.parse({ id, patch: { email: 'ann.new@example.org' } }))
    expect(moved.inviteExpiresAt).toBe(first.inviteExpiresAt)
    const link = await getInviteLink(store, { userId: id })
    expect(link.email).toBe('ann.new@example.org')
    expect(link.inviteLink).not.toBe(first.inviteLink)
    await expectInviteInvalid(() => acceptInvite(store, { token: linkOf(first), password: GOOD_PASSWORD }))
    expect(await acceptInvite(store, { token: link.token, password: GOOD_PASSWORD })).toEqual({ accepted: true })
  })

  it('resend refuses a user who is not invited', async () => {
    const id = existingUser('bob@example.org', 'active')
    const error = await rejection(() => resendInvite(store, { userId: id }))
    expect(error).toMatchObject({ code: 'validation', message: 'Only invited users can be re-invited' })
    expect((await rejection(() => resendInvite(store, { userId: randomUUID() }))).code).toBe('not_found')
  })

  it('revoke puts the user back to draft and kills the token', async () => {
    const result = only(await invite('ann@example.org', role('Editors')))
    const user = revokeInvite(store, { userId: result.userId ?? '' })
    expect(user).toMatchObject({ status: 'draft', invitedAt: null, inviteExpiresAt: null, roleName: 'Editors' })
    expect(row('ann@example.org')?.invite_nonce).toBeNull()
    await expectInviteInvalid(() => acceptInvite(store, { token: linkOf(result), password: GOOD_PASSWORD }))
    expect(listActivity(store, { action: 'user.invite.revoke', limit: 5 }).rows[0]?.recordIds).toEqual([user.id])
    expect(failure(() => revokeInvite(store, { userId: user.id })).code).toBe('validation')
  })

  it('getInviteLink derives the same link again, and refuses users who are not invited', async () => {
    updateSettings(store, { inviteUrlTemplate: 'https://example.org/i/{token}' })
    const result = only(await invite('ann@example.org'))
    const link = await getInviteLink(store, { userId: result.userId ?? '' })
    expect(link.inviteLink).toBe(result.inviteLink)
    expect(link.inviteLink).toBe(`https://example.org/i/${link.token}`)
    expect(link.email).toBe('ann@example.org')
    const active = existingUser('bob@example.org', 'active')
    expect((await rejection(() => getInviteLink(store, { userId: active }))).code).toBe('validation')
  })
})

describe('a user set to invited by hand, without a token yet', () => {
  it('has no link until the invite is resent, and then appears in the invite list', async () => {
    const id = existingUser('hand@example.org', 'invited')
    const error = await rejection(() => getInviteLink(store, { userId: id }))
    expect(error.message).toBe('This invite has no link yet: resend it to create one')
    expect((await listInvites(store, { limit: 10 })).rows).toEqual([])
    const resent = await resendInvite(store, { userId: id })
    expect((await getInviteLink(store, { userId: id })).inviteLink).toBe(resent.inviteLink)
    expect((await listInvites(store, { limit: 10 })).rows.map((item) => item.email)).toEqual(['hand@example.org'])
  })

  it('gets a token at once when its writer uses freshInviteFields', async () => {
    const id = existingUser('hand@example.org', 'invited')
    const fields = freshInviteFields(store)
    expect(fields.invite_expires_at).toBe(new Date(START.getTime() + 7 * DAY).toISOString())
    store
      .prepare('UPDATE users SET invited_at = ?, invite_expires_at = ?, invite_nonce = ? WHERE id = ?')
      .run(fields.invited_at, fields.invite_expires_at, fields.invite_nonce, id)
    await acceptInvite(store, { token: (await getInviteLink(store, { userId: id })).token, password: GOOD_PASSWORD })
    expect(row('hand@example.org')?.status).toBe('active')
  })
})

describe('listInvites', () => {
  it('lists pending invites with role name and a working link, by role, Public or all, page by page', async () => {
    const editors = role('Editors')
    const viewers = role('Viewers')
    invite(Array.from({ length: 7 }, (_, index) => `editor${index}@example.org`).join(' '), editors)
    await invite('viewer@example.org', viewers)
    await invite('public1@example.org public2@example.org', null)
    existingUser('active@example.org', 'active', editors)
    revokeInvite(store, { userId: row('editor6@example.org')?.id ?? '' })

    const all = await walk(undefined)
    expect(all.map((item) => item.email).sort()).toEqual(
      [
        ...Array.from({ length: 6 }, (_, index) => `editor${index}@example.org`),
        'public1@example.org',
        'public2@example.org',
        'viewer@example.org'
      ].sort()
    )
    expect((await walk(editors)).map((item) => item.email)).toEqual(Array.from({ length: 6 }, (_, index) => `editor${index}@example.org`))
    expect((await walk(null)).map((item) => [item.email, item.role])).toEqual([
      ['public1@example.org', null],
      ['public2@example.org', null]
    ])
    const [viewer] = await walk(viewers)
    expect(viewer).toMatchObject({ role: 'Viewers', status: 'invited', inviteExpiresAt: new Date(START.getTime() + 7 * DAY).toISOString() })
    expect(await acceptInvite(store, { token: viewer?.inviteLink ?? '', password: GOOD_PASSWORD })).toEqual({ accepted: true })
    expect(await walk(viewers)).toEqual([])
  })

  it('pages by walking an index, never by sorting every pending invite', async () => {
    const cases: Array<[string, string, unknown[]]> = [
      ['all', INVITE_LIST_SQL.all, [10]],
      ['allAfter', INVITE_LIST_SQL.allAfter, ['', '', 10]],
      ['role', INVITE_LIST_SQL.role, [randomUUID(), 0, 10]],
      ['publicRole', INVITE_LIST_SQL.publicRole, [0, 10]]
    ]
    for (const [name, sql, parameters] of cases) {
      const steps = store.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[] // EXPLAIN's columns
      const plan = steps.map((step) => step.detail).join('\n')
      expect(plan, name).not.toMatch(/TEMP B-TREE|SCAN users/)
    }
  })

  async function walk(roleId: string | null | undefined): Promise<Array<{ email: string; role: string | null; inviteLink: string }>> {
    const rows: Array<{ email: string; role: string | null; inviteLink: string }> = []
    let after: string | undefined
    for (let guard = 0; guard < 50; guard++) {
      const page = await listInvites(store, { ...(roleId !== undefined && { roleId }), after, limit: 2 })
      expect(page.rows.length).toBeLessThanOrEqual(2)
      rows.push(...page.rows)
      if (page.nextCursor === null) return rows
      after = page.nextCursor
    }
    throw new Error('paging did not end')
  }
})

describe('acceptInvite', () => {
  it('activates the user with the password hashed and the names given, and the token then dies', async () => {
    const result = only(await invite('ann@example.org'))
    expect(await acceptInvite(store, { token: linkOf(result), password: GOOD_PASSWORD, firstName: ' Ann ', lastName: 'Smith' })).toEqual({
      accepted: true
    })
    const accepted = row('ann@example.org')
    expect(accepted).toMatchObject({
      status: 'active',
      first_name: 'Ann',
      last_name: 'Smith',
      invite_nonce: null,
      invite_expires_at: null,
      invited_at: null
    })
    expect(verifyPassword(GOOD_PASSWORD, accepted?.password_hash ?? '')).toBe(true)
    expect(listActivity(store, { action: 'user.invite.accept', limit: 5 }).rows).toHaveLength(1)
    await expectInviteInvalid(() => acceptInvite(store, { token: linkOf(result), password: GOOD_PASSWORD }))
  })

  it('keeps the names from the invite when none are given', async () => {
    const result = only(await invite('Ann Smith <ann@example.org>'))
    await acceptInvite(store, { token: linkOf(result), password: GOOD_PASSWORD, firstName: null })
    expect(row('ann@example.org')).toMatchObject({ first_name: 'Ann', last_name: 'Smith' })
  })

  it('accepts a whole link as well as the bare token', async () => {
    updateSettings(store, { inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}&email={email}' })
    const result = only(await invite('ann@example.org'))
    expect(await acceptInvite(store, { token: ` ${linkOf(result)} `, password: GOOD_PASSWORD })).toEqual({ accepted: true })
  })

  it('refuses a password the policy rejects, says why, and changes nothing', async () => {
    updateSettings(store, { passwordPolicy: { kind: 'strong', pattern: null } })
    const result = only(await invite('ann@example.org'))
    const before = row('ann@example.org')
    const error = await rejection(() => acceptInvite(store, { token: linkOf(result), password: 'short' }))
    expect(error.code).toBe('password_policy')
    expect(error.fields?.password).toMatch(/12 characters/)
    expect(row('ann@example.org')).toEqual(before)
    expect(listActivity(store, { action: 'user.invite.accept', limit: 5 }).rows).toEqual([])
    await acceptInvite(store, { token: linkOf(result), password: 'Str0ng&Secret!' })
  })

  it('refuses an expired invite with the generic message', async () => {
    const result = only(await invite('ann@example.org'))
    clock = new Date(START.getTime() + 7 * DAY - 1)
    const link = linkOf(result)
    clock = new Date(START.getTime() + 7 * DAY)
    await expectInviteInvalid(() => acceptInvite(store, { token: link, password: GOOD_PASSWORD }))
    expect(row('ann@example.org')?.status).toBe('invited')
  })

  it('accepts an invite just before it expires', async () => {
    const result = only(await invite('ann@example.org'))
    clock = new Date(START.getTime() + 7 * DAY - 1000)
    expect(await acceptInvite(store, { token: linkOf(result), password: GOOD_PASSWORD })).toEqual({ accepted: true })
  })

  it('says only "no longer valid" for garbage, tampered tokens, unknown users and users who are not invited', async () => {
    const result = only(await invite('ann@example.org'))
    const token = linkOf(result)
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`
    const someoneElse = Buffer.concat([Buffer.from(randomUUID().replaceAll('-', ''), 'hex'), randomBytes(16)]).toString('base64url')
    for (const bad of ['x', 'https://example.org/', tampered, someoneElse, '%%%', `${token}x`]) {
      await expectInviteInvalid(() => acceptInvite(store, { token: bad, password: GOOD_PASSWORD }))
    }
    // A user who became active some other way: their old token is dead too.
    store.prepare(`UPDATE users SET status = 'active' WHERE id = ?`).run(result.userId)
    await expectInviteInvalid(() => acceptInvite(store, { token, password: GOOD_PASSWORD }))
  })

  it('does not accept a token from a copy of the database opened with another key, nor export a working one', async () => {
    const folder = tempDir()
    try {
      const keys = await testInviteKeys()
      const original = await openStore({ file: folder.file('original.db'), inviteKeys: keys, actor: 'tester', now: () => clock })
      const result = only(await inviteUsers(original, { text: 'ann@example.org', roleId: null }))
      original.close()
      copyFileSync(folder.file('original.db'), folder.file('copy.db'))
      copyFileSync(folder.file('original.db'), folder.file('copy-with-key.db'))

      const thief = await openStore({ file: folder.file('copy.db'), inviteKeys: await testInviteKeys(), actor: 'thief', now: () => clock })
      await expectInviteInvalid(() => acceptInvite(thief, { token: linkOf(result), password: GOOD_PASSWORD }))
      const pending = (await listInvites(thief, { limit: 10 })).rows
      expect(pending.map((item) => item.inviteLink)).not.toContain(linkOf(result))
      // What the copy exports is signed by the other key: the real key's verifiers refuse it.
      const [exported] = pending
      expect(await jwtVerify(exported?.inviteLink ?? '', keys.signing.publicKey).catch(() => 'refused')).toBe('refused')
      thief.close()

      // The same copy with the real key file works: the key, not the copy, made the difference.
      const owner = await openStore({ file: folder.file('copy-with-key.db'), inviteKeys: keys, actor: 'tester', now: () => clock })
      expect(await acceptInvite(owner, { token: linkOf(result), password: GOOD_PASSWORD })).toEqual({ accepted: true })
      owner.close()
    } finally {
      folder.cleanup()
    }
  })

  it('still accepts a link issued in the earlier format until it expires, and only while its invite is current', async () => {
    const legacyKey = randomBytes(32)
    const older = await openTestStore({ now: () => clock, inviteKeys: await testInviteKeys(legacyKey) })
    try {
      const issue = async (email: string): Promise<string> => {
        const [result] = (await inviteUsers(older, { text: email, roleId: null })).results
        const stored = older
          .prepare<{ nonce: string; expires: string }>('SELECT invite_nonce AS nonce, invite_expires_at AS expires FROM users WHERE id = ?')
          .get(result?.userId ?? '')
        return legacyInviteToken(legacyKey, { userId: result?.userId ?? '', nonce: stored?.nonce ?? '', expiresAt: stored?.expires ?? '' })
      }
      const accept = (token: string) => acceptInvite(older, { token, password: GOOD_PASSWORD })

      expect(await accept(`https://intranet.example.org/accept?token=${await issue('ann@example.org')}`)).toEqual({ accepted: true })

      const expiring = await issue('bob@example.org')
      clock = new Date(START.getTime() + 7 * DAY)
      await expectInviteInvalid(() => accept(expiring))
      clock = START

      const resent = await issue('carol@example.org')
      await resendInvite(older, {
        userId: older.prepare<{ id: string }>(`SELECT id FROM users WHERE email = 'carol@example.org'`).get()?.id ?? ''
      })
      await expectInviteInvalid(() => accept(resent))

      // Without the earlier key file nothing can check them.
      const unknown = await issue('dan@example.org')
      expect(legacyTokenUserId(unknown)).not.toBeNull()
      await expectInviteInvalid(() => acceptInvite(store, { token: unknown, password: GOOD_PASSWORD }))
    } finally {
      older.close()
    }
  })
})
