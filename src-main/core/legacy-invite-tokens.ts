import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The earlier invite tokens, still accepted by the app's own Accept screen until they expire:
 * base64url(user id (16 bytes) ‖ MAC), where MAC = HMAC-SHA256(invite key, user id | nonce |
 * expiry) cut to 16 bytes. No new ones are issued; the nonce and expiry they were derived from
 * are the invite's current ones, so a re-invite, revoke or accept kills them as before.
 */

const ID_BYTES = 16
const MAC_BYTES = 16
const TOKEN_BYTES = ID_BYTES + MAC_BYTES
/** base64url without padding of TOKEN_BYTES bytes. */
export const LEGACY_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3)
const CONTEXT = 'rolekeeper-invite-v1'

/** What a legacy token was derived from: the user and the invite's nonce and expiry. */
export interface LegacyInviteState {
  userId: string
  nonce: string
  expiresAt: string
}

function mac(key: Buffer, state: LegacyInviteState): Buffer {
  return createHmac('sha256', key).update(`${CONTEXT}|${state.userId}|${state.nonce}|${state.expiresAt}`).digest().subarray(0, MAC_BYTES)
}

function idBytes(userId: string): Buffer | null {
  if (userId.length !== 36) return null
  const hex = userId.replaceAll('-', '')
  // Buffer.from stops at the first character that is not hex, which the length check catches.
  const bytes = Buffer.from(hex, 'hex')
  return hex.length === 32 && bytes.length === ID_BYTES ? bytes : null
}

function idOf(bytes: Buffer): string {
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A token as the earlier versions issued it (links already handed out; the tests). */
export function legacyInviteToken(key: Buffer, state: LegacyInviteState): string {
  const id = idBytes(state.userId)
  if (!id) throw new Error(`Not a user id: ${state.userId}`)
  return Buffer.concat([id, mac(key, state)]).toString('base64url')
}

/** The user id a legacy token claims, or null when the text is not shaped like one. */
export function legacyTokenUserId(token: string): string | null {
  if (token.length !== LEGACY_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null
  const bytes = Buffer.from(token, 'base64url')
  if (bytes.length !== TOKEN_BYTES) return null
  return idOf(bytes.subarray(0, ID_BYTES))
}

/** True when `token` is the one derived for this invite state with `key`. */
export function legacyTokenMatches(key: Buffer, token: string, state: LegacyInviteState): boolean {
  if (legacyTokenUserId(token) !== state.userId.toLowerCase()) return false
  const given = Buffer.from(token, 'base64url').subarray(ID_BYTES)
  return timingSafeEqual(given, mac(key, state))
}
