import { randomBytes, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { calculateJwkThumbprint, CompactSign, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  headerSegment,
  inviteClaims,
  inviteLink,
  joinToken,
  newInviteNonce,
  newInviteNonces,
  payloadJson,
  payloadJsonFor,
  payloadSegment,
  signInviteToken,
  tokenFromInput,
  verifyInviteToken,
  type InviteTokenSource
} from '../../src-main/core/invite-tokens'
import { legacyInviteToken, legacyTokenMatches, legacyTokenUserId, type LegacyInviteState } from '../../src-main/core/legacy-invite-tokens'
import { testInviteKeys } from '../helpers/keys'

const ISSUER = `urn:rolekeeper:${randomUUID()}`
const source: InviteTokenSource = {
  id: randomUUID(),
  email: 'Ann.Lee@Example.org',
  role_id: randomUUID(),
  invite_nonce: newInviteNonce(),
  invited_at: '2026-03-01T09:00:00.000Z',
  invite_expires_at: '2026-03-08T09:00:00.000Z'
}
const keys = await testInviteKeys()
const { token } = await signInviteToken(keys.signing, inviteClaims(ISSUER, source))
const BEFORE_EXPIRY = new Date('2026-03-05T00:00:00.000Z')

describe('invite tokens', () => {
  it('are the tokens jose signs, byte for byte, for any claims', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.emailAddress(), fc.option(fc.uuid(), { nil: null }), async (sub, email, role) => {
        const claims = { ...inviteClaims(ISSUER, source), sub, email, role }
        const ours = await signInviteToken(keys.signing, claims)
        const theirs = await new CompactSign(Buffer.from(JSON.stringify(claims)))
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: keys.signing.kid })
          .sign(keys.signing.privateKey)
        expect(ours.token).toBe(theirs)
        expect(ours.signature.toString('base64url')).toBe(theirs.split('.')[2])
      }),
      { numRuns: 50 }
    )
  })

  it('are compact JWTs with an EdDSA header naming the key by its RFC 7638 thumbprint', async () => {
    expect(token.split('.')).toHaveLength(3)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: keys.signing.kid })
    const { kty, crv, x } = keys.signing.publicJwk
    expect(keys.signing.kid).toBe(await calculateJwkThumbprint({ kty, crv, x }, 'sha256'))
  })

  it('carry every claim: issuer, user, address, role, scope, nonce as jti, invite time and expiry in seconds', () => {
    expect(decodeJwt(token)).toEqual({
      iss: ISSUER,
      sub: source.id,
      email: 'Ann.Lee@Example.org',
      role: source.role_id,
      scope: 'invite',
      jti: source.invite_nonce,
      iat: Date.parse('2026-03-01T09:00:00.000Z') / 1000,
      exp: Date.parse('2026-03-08T09:00:00.000Z') / 1000
    })
  })

  it('carry role null for an invite into Public', async () => {
    const publicInvite = await signInviteToken(keys.signing, inviteClaims(ISSUER, { ...source, role_id: null }))
    expect(decodeJwt(publicInvite.token).role).toBeNull()
  })

  it('verify with the public key alone, as any JOSE library checks them', async () => {
    const { payload } = await jwtVerify(token, keys.signing.publicKey, { issuer: ISSUER, currentDate: BEFORE_EXPIRY })
    expect(payload.sub).toBe(source.id)
  })

  it('are put back together from the header, the claims and the 64-byte signature alone', async () => {
    const signed = await signInviteToken(keys.signing, inviteClaims(ISSUER, source))
    expect(signed.signature).toHaveLength(64)
    expect(joinToken(headerSegment(keys.signing.kid), payloadSegment(inviteClaims(ISSUER, source)), signed.signature)).toBe(token)
  })

  it('are checked for signature, issuer, scope and expiry', async () => {
    const check = (text: string, now = BEFORE_EXPIRY, issuer = ISSUER) => verifyInviteToken(keys, issuer, text, now)
    expect(await check(token)).toEqual({ userId: source.id, jti: source.invite_nonce })
    const [header, payload, signature = ''] = token.split('.')
    const otherClaims = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: randomUUID() })).toString('base64url')
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`
    expect(await check(`${header}.${otherClaims}.${signature}`)).toBeNull()
    expect(await check(`${header}.${payload}.${flipped}`)).toBeNull()
    expect(await check(token, new Date('2026-03-08T09:00:00.000Z'))).toBeNull()
    expect(await check(token, BEFORE_EXPIRY, `urn:rolekeeper:${randomUUID()}`)).toBeNull()
    expect(await verifyInviteToken(await testInviteKeys(), ISSUER, token, BEFORE_EXPIRY)).toBeNull()
    const notAnInvite = await signInviteToken(keys.signing, { ...inviteClaims(ISSUER, source), scope: 'session' as 'invite' })
    expect(await check(notAnInvite.token)).toBeNull()
    for (const garbage of ['', 'abc', 'a.b.c', `${token}.x`, '*'.repeat(43)]) expect(await check(garbage)).toBeNull()
  })

  it('use fresh random nonces', () => {
    const nonces = newInviteNonces(1000)
    expect(new Set(nonces).size).toBe(1000)
    for (const nonce of nonces.slice(0, 5)) expect(Buffer.from(nonce, 'base64url')).toHaveLength(16)
  })
})

describe('the earlier HMAC tokens', () => {
  const key = randomBytes(32)
  const state: LegacyInviteState = { userId: randomUUID(), nonce: newInviteNonce(), expiresAt: '2026-03-08T09:00:00.000Z' }

  it('are 43 URL-safe characters carrying the user id, and match only their own invite and key', () => {
    const legacy = legacyInviteToken(key, state)
    expect(legacy).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(legacyTokenUserId(legacy)).toBe(state.userId)
    expect(legacyTokenMatches(key, legacy, state)).toBe(true)
    expect(legacyTokenMatches(key, legacy, { ...state, nonce: newInviteNonce() })).toBe(false)
    expect(legacyTokenMatches(key, legacy, { ...state, expiresAt: '2026-03-09T09:00:00.000Z' })).toBe(false)
    expect(legacyTokenMatches(randomBytes(32), legacy, state)).toBe(false)
    expect(legacyTokenUserId(token)).toBeNull()
  })
})

describe('inviteLink', () => {
  const token = 'AbC-_123'
  it('is the bare token without a template', () => {
    expect(inviteLink(null, token, 'ann@example.org')).toBe(token)
  })

  it('fills the template with the token and address URL-encoded, every occurrence', () => {
    expect(inviteLink('https://x.example.org/accept?token={token}&email={email}&again={token}', token, 'ann+1@example.org')).toBe(
      'https://x.example.org/accept?token=AbC-_123&email=ann%2B1%40example.org&again=AbC-_123'
    )
    expect(inviteLink('https://x.example.org/{email}/{token}', token, 'a&b={token}@bücher.de')).toBe(
      'https://x.example.org/a%26b%3D%7Btoken%7D%40b%C3%BCcher.de/AbC-_123'
    )
  })
})

describe('tokenFromInput', () => {
  const legacy = legacyInviteToken(randomBytes(32), {
    userId: randomUUID(),
    nonce: newInviteNonce(),
    expiresAt: '2026-03-08T09:00:00.000Z'
  })
  it('takes a bare token, trimmed: a JWT or an earlier one', () => {
    expect(tokenFromInput(`  ${token}\n`)).toBe(token)
    expect(tokenFromInput(`${legacy}\n`)).toBe(legacy)
  })

  it('takes a token copied from a CSV export cell that was neutralised with a leading apostrophe', () => {
    expect(tokenFromInput(`'${token}`)).toBe(token)
    expect(tokenFromInput(`'-${legacy.slice(1)}`)).toBe(`-${legacy.slice(1)}`)
  })

  it('finds the token in a link: query, fragment or last path segment', () => {
    expect(tokenFromInput(`https://x.example.org/accept?email=a%40b.org&token=${token}`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/accept#token=${token}`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/invite/${token}/`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/invite/${token}?utm=mail`)).toBe(token)
  })

  it('gives back what it cannot read, which then fails as a token', async () => {
    expect(tokenFromInput('not a link')).toBe('not a link')
    expect(await verifyInviteToken(keys, ISSUER, tokenFromInput('https://x.example.org/'), BEFORE_EXPIRY)).toBeNull()
  })
})

describe('the claims text', () => {
  it('is the JSON of the claims in their fixed order, for any text in them', () => {
    fc.assert(
      fc.property(
        fc.record({
          iss: fc.string(),
          sub: fc.string(),
          email: fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u2028', '\ud800', 'é', '<') }),
          role: fc.option(fc.string()),
          jti: fc.string(),
          iat: fc.oneof(fc.integer(), fc.constant(Number.NaN)),
          exp: fc.integer()
        }),
        ({ iss, sub, email, role, jti, iat, exp }) => {
          const claims = { iss, sub, email, role, scope: 'invite' as const, jti, iat, exp }
          expect(payloadJson(claims)).toBe(JSON.stringify({ iss, sub, email, role, scope: 'invite', jti, iat, exp }))
        }
      ),
      { numRuns: 1000 }
    )
  })

  it('is the same made for a run of invites, whatever repeats from one to the next', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u2028', '\ud800', 'é', '<') })
    // Few roles and times, so that runs of the same role or times and changes between them both occur.
    const time = fc.constantFrom('2026-12-01T10:00:00.000Z', '2026-12-08T10:00:00.000Z', '2026-12-01T10:00:00.999Z', 'not a date')
    const row = fc.record({
      id: text,
      email: text,
      role_id: fc.constantFrom(null, 'role-1', 'role-"2"'),
      invite_nonce: text,
      invited_at: time,
      invite_expires_at: time
    })
    fc.assert(
      fc.property(text, fc.array(row, { maxLength: 12 }), (issuer, rows) => {
        const claimsOf = payloadJsonFor(issuer)
        for (const source of rows) expect(claimsOf(source)).toBe(payloadJson(inviteClaims(issuer, source)))
      }),
      { numRuns: 500 }
    )
  })
})
