import { randomBytes, webcrypto } from 'node:crypto'
import { errors, jwtVerify } from 'jose'
import type { InviteKeys, InviteSigningKey } from './invite-keys'
import { legacyTokenUserId } from './legacy-invite-tokens'
import { inviteSettings } from './settings'
import type { Store } from './store'

/**
 * Invite tokens are compact JWTs signed with Ed25519, so any server holding only the public key
 * (the exported JWKS) can check a link, and nothing it holds can mint one. Header `alg: EdDSA`,
 * `typ: JWT`, `kid`; claims `iss` (this directory), `sub`, `email`, `role`, `scope: "invite"`,
 * `jti` (the invite's nonce), `iat`, `exp`. The nonce is random per invite and lives in the
 * database; replacing or clearing it (re-invite, revoke, accept, leaving `invited`) kills every
 * earlier token, because a token counts only while its `jti` is the user's current invite.
 *
 * jose builds and checks the JWS; the claims' bytes are ours (a fixed order, `payloadSegment`),
 * and so is the header's (`headerSegment`), which lets the token cache keep only the signature
 * and put the token back together from the row. `signInviteToken` checks that jose produced
 * exactly those segments, so the two can never drift apart unnoticed.
 */

const NONCE_BYTES = 16
const DAY_MS = 24 * 60 * 60 * 1000

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

// ---------------------------------------------------------------------------------------------
// Claims and segments

export const INVITE_SCOPE = 'invite'

export interface InviteClaims {
  iss: string
  sub: string
  email: string
  /** The role's id; null for Public. */
  role: string | null
  scope: typeof INVITE_SCOPE
  jti: string
  iat: number
  exp: number
}

/** The user columns a token is made from: a pending invite's row. */
export interface InviteTokenSource {
  id: string
  email: string
  role_id: string | null
  invite_nonce: string
  invited_at: string
  invite_expires_at: string
}

const toSeconds = (timestamp: string): number => Math.floor(Date.parse(timestamp) / 1000)

export function inviteClaims(issuer: string, source: InviteTokenSource, seconds = toSeconds): InviteClaims {
  return {
    iss: issuer,
    sub: source.id,
    email: source.email,
    role: source.role_id,
    scope: INVITE_SCOPE,
    jti: source.invite_nonce,
    iat: seconds(source.invited_at),
    exp: seconds(source.invite_expires_at)
  }
}

/** The protected header as jose is given it: the same for every token of one key. */
function protectedHeader(kid: string): { alg: 'EdDSA'; typ: 'JWT'; kid: string } {
  return { alg: 'EdDSA', typ: 'JWT', kid }
}

/** The token's first segment. */
export function headerSegment(kid: string): string {
  return Buffer.from(JSON.stringify(protectedHeader(kid))).toString('base64url')
}

/**
 * The claims' bytes, always in the same order: the text `JSON.stringify` gives the object
 * `{ iss, sub, email, role, scope, jti, iat, exp }`, spelled out because an export rebuilds
 * 100,000 of them and stringifying an object costs several times as much as its strings alone.
 */
export function payloadJson(claims: InviteClaims): string {
  const { iss, sub, email, role, scope, jti, iat, exp } = claims
  const quote = JSON.stringify
  return `{"iss":${quote(iss)},"sub":${quote(sub)},"email":${quote(email)},"role":${role === null ? 'null' : quote(role)},"scope":${quote(scope)},"jti":${quote(jti)},"iat":${jsonNumber(iat)},"exp":${jsonNumber(exp)}}`
}

/**
 * The claims' text of many invites of one directory, as `payloadJson(inviteClaims(issuer, row))`
 * gives it for each row: what repeats from one invite to the next (the issuer, the role and
 * scope, the two times of invites made together) is spelled out once and reused while it stays
 * the same, so each row costs its own three strings. An export rebuilds 100,000 of these.
 */
export function payloadJsonFor(issuer: string, seconds = toSeconds): (source: InviteTokenSource) => string {
  const quote = JSON.stringify
  const head = `{"iss":${quote(issuer)},"sub":`
  let role: string | null | undefined
  let roleText = ''
  let invitedAt: string | undefined
  let expiresAt: string | undefined
  let timesText = ''
  return (source) => {
    if (source.role_id !== role) {
      role = source.role_id
      roleText = `,"role":${role === null ? 'null' : quote(role)},"scope":${quote(INVITE_SCOPE)},"jti":`
    }
    if (source.invited_at !== invitedAt || source.invite_expires_at !== expiresAt) {
      invitedAt = source.invited_at
      expiresAt = source.invite_expires_at
      timesText = `,"iat":${jsonNumber(seconds(invitedAt))},"exp":${jsonNumber(seconds(expiresAt))}}`
    }
    return `${head}${quote(source.id)},"email":${quote(source.email)}${roleText}${quote(source.invite_nonce)}${timesText}`
  }
}

/** A number as JSON writes it: a date that could not be read (NaN) is null. */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : 'null')

/** The token's second segment. */
export function payloadSegment(claims: InviteClaims): string {
  return Buffer.from(payloadJson(claims)).toString('base64url')
}

export const SIGNATURE_BYTES = 64

/** A token from its three parts (the cache keeps only the signature). */
export function joinToken(header: string, payload: string, signature: Buffer): string {
  return `${header}.${payload}.${signature.toString('base64url')}`
}

export interface SignedInvite {
  token: string
  signature: Buffer
}

/**
 * Sign one invite: an Ed25519 signature by WebCrypto over the JWS signing input, run on the
 * thread pool (start many before awaiting any), and the token spelled out as the token cache
 * rebuilds it. It is the token jose's `CompactSign` makes, byte for byte (Ed25519 signs
 * deterministically; invite-tokens.test.ts holds the two together), at half the cost: jose
 * encodes its header again, checks its arguments and decodes the signature back for every
 * token, which measured 550–600 ms for 10,000 invites against 280–290 ms. Tokens are still
 * checked by jose (`verifyInviteToken`).
 */
export async function signInviteToken(key: InviteSigningKey, claims: InviteClaims): Promise<SignedInvite> {
  const header = headerSegment(key.kid)
  const payload = payloadSegment(claims)
  const signature = Buffer.from(await webcrypto.subtle.sign('Ed25519', key.privateKey, Buffer.from(`${header}.${payload}`)))
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`An Ed25519 signature has ${SIGNATURE_BYTES} bytes, not ${signature.length}`)
  return { token: joinToken(header, payload, signature), signature }
}

// ---------------------------------------------------------------------------------------------
// Checking

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** The invite a token names, once its signature, issuer, scope and expiry are checked. */
export interface VerifiedInvite {
  userId: string
  jti: string
}

/**
 * The invite a JWT carries, when it is signed by this directory's key for this directory, is an
 * invite and has not expired at `now`; null otherwise. Whether `jti` is still the user's current
 * invite is for the caller to check against the database.
 */
export async function verifyInviteToken(keys: InviteKeys, issuer: string, token: string, now: Date): Promise<VerifiedInvite | null> {
  if (!JWT_SHAPE.test(token)) return null
  try {
    const { payload } = await jwtVerify(token, keys.signing.publicKey, {
      issuer,
      algorithms: ['EdDSA'],
      typ: 'JWT',
      currentDate: now,
      requiredClaims: ['sub', 'jti', 'iat', 'exp', 'scope']
    })
    if (payload.scope !== INVITE_SCOPE || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') return null
    return { userId: payload.sub, jti: payload.jti }
  } catch (error) {
    if (error instanceof errors.JOSEError) return null
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Links

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

/** A bare token: a JWT, or one of the earlier 43-character tokens. */
function isBareToken(text: string): boolean {
  return JWT_SHAPE.test(text) || legacyTokenUserId(text) !== null
}

/**
 * The token inside what someone pasted on the accept screen: a bare token, or a whole link
 * carrying it as the `token` query (or fragment) parameter or as its last path segment.
 */
export function tokenFromInput(input: string): string {
  // A CSV export prefixes a cell starting with `-` with an apostrophe (formula neutralising).
  const text = input.trim().replace(/^'(?=[A-Za-z0-9_.-]+$)/, '')
  if (isBareToken(text)) return text
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
