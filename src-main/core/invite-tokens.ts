import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { inviteSettings } from './settings'
import type { Store } from './store'

/**
 * Invite tokens are derived, not stored: token = base64url(user id (16 bytes) ‖ MAC), where
 * MAC = HMAC-SHA256(invite key, user id | nonce | expiry) cut to 16 bytes. The nonce is random
 * per invite and lives in the database; the key lives outside it. So a token can be derived
 * again for export at any time, a copy of the database alone yields none, and replacing or
 * clearing the nonce (re-invite, revoke, accept) kills every earlier token.
 */

const ID_BYTES = 16
const MAC_BYTES = 16
const TOKEN_BYTES = ID_BYTES + MAC_BYTES
/** base64url without padding of TOKEN_BYTES bytes. */
const TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3)
const NONCE_BYTES = 16
const CONTEXT = 'rolekeeper-invite-v1'

/** What a token is derived from: the user and the current invite's nonce and expiry. */
export interface InviteState {
  userId: string
  nonce: string
  expiresAt: string
}

/** A fresh nonce for one invite. */
export function newInviteNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url')
}

/** Many fresh nonces at once: one call to the random source instead of one per invite. */
export function newInviteNonces(count: number): string[] {
  const bytes = randomBytes(NONCE_BYTES * count)
  const nonces = new Array<string>(count)
  for (let index = 0; index < count; index++) {
    nonces[index] = bytes.toString('base64url', index * NONCE_BYTES, (index + 1) * NONCE_BYTES)
  }
  return nonces
}

/**
 * The invite columns of a user who becomes `invited` now: a fresh nonce and the expiry from the
 * lifetime setting. Write them whenever a user enters `invited` (by invite, resend or by hand),
 * so every invited user has a link to export.
 */
export function freshInviteFields(
  store: Store,
  now: Date = store.now()
): { invited_at: string; invite_expires_at: string; invite_nonce: string } {
  const { inviteLifetimeDays } = inviteSettings(store)
  return {
    invited_at: now.toISOString(),
    invite_expires_at: new Date(now.getTime() + inviteLifetimeDays * DAY_MS).toISOString(),
    invite_nonce: newInviteNonce()
  }
}

const DAY_MS = 24 * 60 * 60 * 1000

function mac(key: Buffer, state: InviteState): Buffer {
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

export function inviteToken(key: Buffer, state: InviteState): string {
  const id = idBytes(state.userId)
  if (!id) throw new Error(`Not a user id: ${state.userId}`)
  return Buffer.concat([id, mac(key, state)]).toString('base64url')
}

/**
 * The user id a token claims, or null when the text is not shaped like a token. Says nothing
 * about validity: check that with `tokenMatches` against the user's current invite.
 */
export function tokenUserId(token: string): string | null {
  if (token.length !== TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null
  const bytes = Buffer.from(token, 'base64url')
  if (bytes.length !== TOKEN_BYTES) return null
  return idOf(bytes.subarray(0, ID_BYTES))
}

/** True when `token` is the one derived for this invite state with `key`. */
export function tokenMatches(key: Buffer, token: string, state: InviteState): boolean {
  if (tokenUserId(token) !== state.userId.toLowerCase()) return false
  const given = Buffer.from(token, 'base64url').subarray(ID_BYTES)
  return timingSafeEqual(given, mac(key, state))
}

/**
 * The invite link from the URL template, with `{token}` and `{email}` URL-encoded; the bare
 * token when no template is set.
 */
export function inviteLink(template: string | null, token: string, email: string): string {
  return inviteLinkBuilder(template)(token, email)
}

/** `inviteLink` for one template and many invites: the template is split once. */
export function inviteLinkBuilder(template: string | null): (token: string, email: string) => string {
  if (!template) return (token) => token
  // Odd indexes hold placeholder names: 'a{token}b'.split(...) is ['a', 'token', 'b'].
  const parts = template.split(/\{(token|email)\}/)
  return (token, email) => {
    let link = ''
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index] ?? ''
      link += index % 2 === 0 ? part : encodeURIComponent(part === 'token' ? token : email)
    }
    return link
  }
}

/**
 * The token inside what someone pasted on the accept screen: a bare token, or a whole link
 * carrying it as the `token` query (or fragment) parameter or as its last path segment.
 */
export function tokenFromInput(input: string): string {
  // A CSV export prefixes a cell starting with `-` with an apostrophe (formula neutralising).
  const text = input.trim().replace(/^'(?=[A-Za-z0-9_-]+$)/, '')
  if (tokenUserId(text) !== null) return text
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return text
  }
  const fromQuery = url.searchParams.get('token')
  if (fromQuery) return fromQuery.trim()
  const fromFragment = new URLSearchParams(url.hash.replace(/^#/, '')).get('token')
  if (fromFragment) return fromFragment.trim()
  const segments = url.pathname.split('/').filter((segment) => segment !== '')
  const last = segments.at(-1)
  if (last === undefined) return text
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}
