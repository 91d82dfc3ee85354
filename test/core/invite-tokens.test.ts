import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  inviteLink,
  inviteToken,
  newInviteNonce,
  newInviteNonces,
  tokenFromInput,
  tokenMatches,
  tokenUserId,
  type InviteState
} from '../../src-main/core/invite-tokens'

const key = randomBytes(32)
const state: InviteState = { userId: randomUUID(), nonce: newInviteNonce(), expiresAt: '2026-03-08T09:00:00.000Z' }

describe('invite tokens', () => {
  it('are URL-safe, carry the user id, and match only their own invite', () => {
    const token = inviteToken(key, state)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(tokenUserId(token)).toBe(state.userId)
    expect(tokenMatches(key, token, state)).toBe(true)
    expect(inviteToken(key, state)).toBe(token)
  })

  it('die when the nonce, the expiry or the key changes', () => {
    const token = inviteToken(key, state)
    expect(tokenMatches(key, token, { ...state, nonce: newInviteNonce() })).toBe(false)
    expect(tokenMatches(key, token, { ...state, expiresAt: '2026-03-09T09:00:00.000Z' })).toBe(false)
    expect(tokenMatches(randomBytes(32), token, state)).toBe(false)
  })

  it('cannot be moved to another user', () => {
    const token = inviteToken(key, state)
    const other: InviteState = { ...state, userId: randomUUID() }
    expect(tokenMatches(key, token, other)).toBe(false)
    const grafted = Buffer.concat([
      Buffer.from(other.userId.replaceAll('-', ''), 'hex'),
      Buffer.from(token, 'base64url').subarray(16)
    ]).toString('base64url')
    expect(tokenMatches(key, grafted, other)).toBe(false)
  })

  it('rejects text that is not shaped like a token', () => {
    for (const text of ['', 'abc', `${inviteToken(key, state)}A`, '*'.repeat(43), ' '.repeat(43)]) {
      expect(tokenUserId(text)).toBeNull()
      expect(tokenMatches(key, text, state)).toBe(false)
    }
  })

  it('use fresh random nonces', () => {
    const nonces = newInviteNonces(1000)
    expect(new Set(nonces).size).toBe(1000)
    for (const nonce of nonces.slice(0, 5)) expect(Buffer.from(nonce, 'base64url')).toHaveLength(16)
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
  const token = inviteToken(key, state)
  it('takes a bare token, trimmed', () => {
    expect(tokenFromInput(`  ${token}\n`)).toBe(token)
  })

  it('takes a token copied from a CSV export cell that was neutralised with a leading apostrophe', () => {
    expect(tokenFromInput(`'${token}`)).toBe(token)
    expect(tokenFromInput(`'-${token.slice(1)}`)).toBe(`-${token.slice(1)}`)
  })

  it('finds the token in a link: query, fragment or last path segment', () => {
    expect(tokenFromInput(`https://x.example.org/accept?email=a%40b.org&token=${token}`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/accept#token=${token}`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/invite/${token}/`)).toBe(token)
    expect(tokenFromInput(`https://x.example.org/invite/${token}?utm=mail`)).toBe(token)
  })

  it('gives back what it cannot read, which then fails as a token', () => {
    expect(tokenUserId(tokenFromInput('not a link'))).toBeNull()
    expect(tokenUserId(tokenFromInput('https://x.example.org/'))).toBeNull()
  })
})
