import { copyFileSync, readFileSync } from 'node:fs'
import { decodeJwt, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportToString } from '../../src-main/core/export'
import type { InviteKeys } from '../../src-main/core/invite-keys'
import { cacheSignatures, inviteIssuer, sealSignatures, signInvites, unsealSignatures } from '../../src-main/core/invite-token-cache'
import { acceptInvite, getInviteLink, inviteUsers, listInvites, resendInvite } from '../../src-main/core/invites'
import { createRole } from '../../src-main/core/roles'
import { openStore, type Store } from '../../src-main/core/store'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'

const NOW = new Date('2026-03-01T09:00:00.000Z')

let folder: ReturnType<typeof tempDir>
let keys: InviteKeys
let store: Store

beforeEach(async () => {
  folder = tempDir()
  keys = await testInviteKeys()
  store = await openStore({ file: folder.file('directory.db'), inviteKeys: keys, actor: 'tester', now: () => NOW })
})
afterEach(() => {
  store.close()
  folder.cleanup()
})

const seal = (email: string): Buffer | null =>
  store.prepare<{ invite_token_seal: Buffer | null }>('SELECT invite_token_seal FROM users WHERE email = ?').get(email)
    ?.invite_token_seal ?? null

async function inviteOne(email: string, roleId: string | null = null): Promise<{ userId: string; token: string }> {
  const [result] = (await inviteUsers(store, { text: email, roleId })).results
  if (!result?.userId || !result.inviteLink) throw new Error(`${email} was not invited`)
  return { userId: result.userId, token: result.inviteLink }
}

/** The tokens an invite-list export carries, by address. */
async function exportedTokens(from: Store = store): Promise<Map<string, string>> {
  const rows = JSON.parse(await exportToString(from, { scope: { kind: 'allInvites' }, format: 'json', bom: false })) as Array<{
    email: string
    invite_link: string
  }> // the JSON writer's invite-list rows
  return new Map(rows.map((row) => [row.email, row.invite_link]))
}

describe('the token cache', () => {
  it('seals and unseals signatures in batches, each entry under its own nonce', () => {
    const key = Buffer.alloc(32, 3)
    const signatures = [Buffer.alloc(64, 1), Buffer.alloc(64, 1), Buffer.alloc(64, 2)]
    const seals = sealSignatures(key, signatures)
    expect(seals.map((entry) => entry.length)).toEqual([76, 76, 76])
    // The same signature twice seals to two different entries.
    expect(seals[0]?.equals(seals[1] ?? Buffer.alloc(0))).toBe(false)
    expect(seals.some((entry) => entry.includes(Buffer.alloc(64, 1)))).toBe(false)
    expect(unsealSignatures(key, [...seals, Buffer.alloc(10)])).toEqual([...signatures, null])
    expect(unsealSignatures(Buffer.alloc(32, 4), seals)[0]?.equals(signatures[0] ?? Buffer.alloc(0))).toBe(false)
  })

  it('keeps a new invite’s signature sealed, and an export takes it from there instead of signing again', async () => {
    const { token } = await inviteOne('ann@example.org')
    const sealed = seal('ann@example.org')
    expect(sealed).toHaveLength(76)
    expect((await exportedTokens()).get('ann@example.org')).toBe(token)

    // Garble the sealed signature: an export that signed afresh would not notice; one that unseals does.
    const garbled = Buffer.from(sealed ?? Buffer.alloc(76))
    garbled[40] = (garbled[40] ?? 0) ^ 0xff
    store.prepare('UPDATE users SET invite_token_seal = ? WHERE email = ?').run(garbled, 'ann@example.org')
    const exported = (await exportedTokens()).get('ann@example.org') ?? ''
    expect(exported).not.toBe(token)
    expect(decodeJwt(exported)).toEqual(decodeJwt(token))
    await expect(jwtVerify(exported, keys.signing.publicKey, { currentDate: NOW })).rejects.toThrow()
  })

  it('signs and keeps what it does not hold yet, so the next export unseals it', async () => {
    const { token } = await inviteOne('ann@example.org')
    store.prepare('UPDATE users SET invite_token_seal = NULL').run()
    expect((await exportedTokens()).get('ann@example.org')).toBe(token)
    expect(seal('ann@example.org')).toHaveLength(76)
    expect((await getInviteLink(store, { userId: (await listInvites(store, { limit: 1 })).rows[0]?.userId ?? '' })).token).toBe(token)
    // The placeholder a new invite's row is written with (until its seal follows) reads as no seal.
    store.prepare('UPDATE users SET invite_token_seal = zeroblob(76)').run()
    expect((await exportedTokens()).get('ann@example.org')).toBe(token)
    expect(seal('ann@example.org')?.equals(Buffer.alloc(76))).toBe(false)
  })

  it('keeps a signature made elsewhere (the export worker) only while the row still says what was signed', async () => {
    await inviteOne('ann@example.org')
    await inviteOne('bob@example.org')
    store.prepare('UPDATE users SET invite_token_seal = NULL').run()
    const rows = store
      .prepare<{ id: string; email: string; role_id: string | null; invite_nonce: string; invited_at: string; invite_expires_at: string }>(
        'SELECT id, email, role_id, invite_nonce, invited_at, invite_expires_at FROM users ORDER BY email'
      )
      .all()
    const signed = await signInvites(store, rows)
    // Bob's invite is given a later expiry between the signing and the keeping: his signature says the old one.
    store.prepare("UPDATE users SET invite_expires_at = '2026-04-01T00:00:00.000Z' WHERE email = 'bob@example.org'").run()
    cacheSignatures(
      store,
      rows.map((row, index) => ({ row, signature: signed[index]?.signature ?? Buffer.alloc(0) }))
    )
    expect(seal('ann@example.org')).toHaveLength(76)
    expect(seal('bob@example.org')).toBeNull()
  })

  it('drops a signature when anything the token says changes: address, role, nonce, dates or status', async () => {
    const editors = createRole(store, { name: 'Editors' }).id
    const changes: Array<[string, string, unknown[]]> = [
      ['email', 'UPDATE users SET email = ? WHERE email_key = ?', ['Changed@example.org']],
      ['role', 'UPDATE users SET role_id = ? WHERE email_key = ?', [editors]],
      ['nonce', 'UPDATE users SET invite_nonce = ? WHERE email_key = ?', ['another-nonce']],
      ['invite time', 'UPDATE users SET invited_at = ? WHERE email_key = ?', ['2026-03-01T10:00:00.000Z']],
      ['expiry', 'UPDATE users SET invite_expires_at = ? WHERE email_key = ?', ['2026-03-09T09:00:00.000Z']],
      ['status', 'UPDATE users SET status = ? WHERE email_key = ?', ['draft']]
    ]
    for (const [claim, sql, values] of changes) {
      const email = `${claim.replace(' ', '-')}@example.org`
      await inviteOne(email)
      const read = (): Buffer | null =>
        store.prepare<{ seal: Buffer | null }>('SELECT invite_token_seal AS seal FROM users WHERE email_key = ?').get(email)?.seal ?? null
      expect(read(), claim).not.toBeNull()
      store.prepare(sql).run(...values, email)
      expect(read(), claim).toBeNull()
    }
    // A write that changes nothing the token says keeps it.
    await inviteOne('kept@example.org')
    store.prepare(`UPDATE users SET first_name = 'Kim', title = 'Nurse' WHERE email_key = 'kept@example.org'`).run()
    expect(seal('kept@example.org')).not.toBeNull()
  })

  it('gives the new token after a resend, and the export follows a changed address', async () => {
    const first = await inviteOne('ann@example.org')
    const resent = await resendInvite(store, { userId: first.userId })
    expect((await exportedTokens()).get('ann@example.org')).toBe(resent.token)
    store.prepare(`UPDATE users SET email = 'Ann@Example.org' WHERE id = ?`).run(first.userId)
    const exported = (await exportedTokens()).get('Ann@Example.org') ?? ''
    expect(decodeJwt(exported).email).toBe('Ann@Example.org')
    expect(await acceptInvite(store, { token: exported, password: 'correct horse battery' })).toEqual({ accepted: true })
  })

  it('is dropped when the database is opened with another key: the copy exports nothing the real key signed', async () => {
    const { token } = await inviteOne('ann@example.org')
    store.close()
    copyFileSync(folder.file('directory.db'), folder.file('copy.db'))
    const otherKeys = await testInviteKeys()
    const copy = await openStore({ file: folder.file('copy.db'), inviteKeys: otherKeys, actor: 'thief', now: () => NOW })
    try {
      expect(copy.prepare('SELECT count(*) AS n FROM users WHERE invite_token_seal IS NOT NULL').get()).toEqual({ n: 0 })
      const exported = (await exportedTokens(copy)).get('ann@example.org') ?? ''
      expect(exported).not.toBe(token)
      await expect(jwtVerify(exported, keys.signing.publicKey, { currentDate: NOW })).rejects.toThrow()
      // It is signed by the copy's own key, which no verifier of the real directory holds.
      await expect(jwtVerify(exported, otherKeys.signing.publicKey, { currentDate: NOW })).resolves.toBeTruthy()
      expect(inviteIssuer(copy)).toBe(decodeJwt(token).iss)
    } finally {
      copy.close()
    }
    store = await openStore({ file: folder.file('directory.db'), inviteKeys: keys, actor: 'tester', now: () => NOW })
    expect((await exportedTokens()).get('ann@example.org')).toBe(token)
  })

  it('leaves nothing in the database file that makes a working token', async () => {
    const tokens = await Promise.all(['a@example.org', 'b@example.org', 'c@example.org'].map((email) => inviteOne(email)))
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const file = Buffer.concat([readFileSync(folder.file('directory.db')), readFileSync(`${folder.file('directory.db')}-wal`)])
    for (const { token } of tokens) {
      const signature = token.split('.')[2] ?? ''
      expect(file.includes(Buffer.from(signature, 'base64url'))).toBe(false)
      expect(file.includes(Buffer.from(signature))).toBe(false)
      expect(file.includes(Buffer.from(token))).toBe(false)
    }
  })
})

describe('the directory’s issuer', () => {
  it('is made once per database and is the same after reopening', async () => {
    const issuer = inviteIssuer(store)
    expect(issuer).toMatch(/^urn:rolekeeper:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    store.close()
    store = await openStore({ file: folder.file('directory.db'), inviteKeys: keys, actor: 'tester', now: () => NOW })
    expect(inviteIssuer(store)).toBe(issuer)
    const other = await openStore({ file: folder.file('other.db'), inviteKeys: keys, actor: 'tester', now: () => NOW })
    expect(inviteIssuer(other)).not.toBe(issuer)
    other.close()
  })
})
