import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportToString } from '../../src-main/core/export'
import { inviteTokensFor } from '../../src-main/core/invite-token-cache'
import { getInviteVerification, inviteUsers, resendInvite, verificationKeyFileText } from '../../src-main/core/invites'
import { updateSettings } from '../../src-main/core/settings'
import { openStore, type Store } from '../../src-main/core/store'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'

const SCRIPT = resolve(import.meta.dirname, 'verify-invite.mjs')
const DAY = 24 * 60 * 60 * 1000

let folder: ReturnType<typeof tempDir>
let store: Store
let clock = new Date()
const links = new Map<string, string>()

/** What a separate `node` process, holding only the exported JWKS, says of each token. */
function verifyElsewhere(tokens: readonly string[], currentJtis: readonly string[]): string[] {
  writeFileSync(folder.file('jtis.json'), JSON.stringify(currentJtis))
  const output = execFileSync(
    process.execPath,
    [SCRIPT, folder.file('verification-key.jwks.json'), getInviteVerification(store).issuer, folder.file('jtis.json')],
    { input: `${tokens.join('\n')}\n`, encoding: 'utf8', cwd: import.meta.dirname }
  )
  return output.trim().split('\n')
}

beforeAll(async () => {
  folder = tempDir()
  store = await openStore({ file: folder.file('directory.db'), inviteKeys: await testInviteKeys(), actor: 'tester', now: () => clock })
  const invited = async (email: string): Promise<string> => {
    const [result] = (await inviteUsers(store, { text: email, roleId: null })).results
    return result?.inviteLink ?? ''
  }
  links.set('superseded', await invited('bob@example.org'))
  clock = new Date(Date.now() - 3 * DAY)
  updateSettings(store, { inviteLifetimeDays: 1 })
  await invited('old@example.org')
  clock = new Date()
  updateSettings(store, { inviteLifetimeDays: 7 })
  await invited('ann@example.org')
  const bob = store.prepare<{ id: string }>(`SELECT id FROM users WHERE email = 'bob@example.org'`).get()
  await resendInvite(store, { userId: bob?.id ?? '' })
  writeFileSync(folder.file('verification-key.jwks.json'), verificationKeyFileText(store))
})
afterAll(() => {
  store.close()
  folder.cleanup()
})

describe('a link from an exported invite list, verified by another process with the exported JWKS only', () => {
  it('is valid while current, and refused when tampered, expired, signed by another key or superseded', async () => {
    // A user export: it holds the expired invite too (marked expired), which an invite list leaves out.
    const exported = JSON.parse(
      await exportToString(store, { scope: { kind: 'users', selection: { filter: {} } }, format: 'json', bom: false })
    ) as Array<{ email: string; invite_link: string | null }> // the JSON writer's user-export rows
    const tokenOf = (email: string): string => exported.find((row) => row.email === email)?.invite_link ?? ''
    // The latest hand-off file's current invites.
    const currentJtis = exported.flatMap((row) => (row.invite_link ? [String(decodeJwt(row.invite_link).jti)] : []))

    const ann = tokenOf('ann@example.org')
    const [header, , signature] = ann.split('.')
    const otherClaims = Buffer.from(JSON.stringify({ ...decodeJwt(ann), email: 'mallory@example.org' })).toString('base64url')

    const elsewhere = await openStore({ file: ':memory:', inviteKeys: await testInviteKeys(), actor: 'other' })
    const annRow = store
      .prepare<{ id: string; email: string; role_id: string | null; invite_nonce: string; invited_at: string; invite_expires_at: string }>(
        `SELECT id, email, role_id, invite_nonce, invited_at, invite_expires_at FROM users WHERE email = 'ann@example.org'`
      )
      .get()
    // Same claims, another key: what a copy of the database with its own key file would make.
    const [forged = ''] = annRow ? await inviteTokensFor(elsewhere, [{ ...annRow, invite_token_seal: null }]) : []
    elsewhere.close()

    const verdicts = verifyElsewhere(
      [
        ann,
        tokenOf('bob@example.org'),
        `${header}.${otherClaims}.${signature}`,
        tokenOf('old@example.org'),
        forged,
        links.get('superseded') ?? ''
      ],
      currentJtis
    )
    const annId = decodeJwt(ann).sub
    const bobId = decodeJwt(tokenOf('bob@example.org')).sub
    expect(verdicts).toEqual([
      `valid ${annId}`,
      `valid ${bobId}`,
      'invalid ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'invalid ERR_JWT_EXPIRED',
      expect.stringMatching(/^invalid ERR_J(WS_SIGNATURE_VERIFICATION_FAILED|WKS_NO_MATCHING_KEY)$/),
      'invalid superseded'
    ])
  })
})
