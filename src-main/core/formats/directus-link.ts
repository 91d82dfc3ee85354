/**
 * An invite link in Directus's own format, so a person invited through Rolekeeper can accept on
 * the Directus server itself. Directus 12.4 (`@directus/api` 39.2, `UsersService.inviteUrl`)
 * signs `{ email, scope: 'invite' }` with `jsonwebtoken`, HS256 over the server's SECRET, issuer
 * `directus`, and `POST /users/invite/accept` (`acceptInvite` → `verifyJWT`) checks exactly that
 * signature, issuer and expiry, then finds the user by email (ignoring case) and requires the
 * status `invited`. The link is `<PUBLIC_URL>/admin/accept-invite?token=…`. We sign with `jose`
 * instead of `jsonwebtoken`; the token is the same compact JWS, with the invite's own expiry.
 */
import { createSecretKey, type KeyObject } from 'node:crypto'
import { SignJWT } from 'jose'

export interface DirectusInviteLinkInput {
  /** The Directus server's SECRET (its master key: whoever holds it can sign in as anyone). */
  secret: string
  /** The server's PUBLIC_URL, e.g. `https://cms.example.org` or `https://example.org/directus/`. */
  publicUrl: string
  email: string
  /** When the invite stops working (ISO-8601): the token's `exp`. */
  expiresAt: string
  /** When the token is made; defaults to now. */
  issuedAt?: Date
}

export async function directusInviteToken(input: Omit<DirectusInviteLinkInput, 'publicUrl'>): Promise<string> {
  return signDirectusInvite(createSecretKey(Buffer.from(input.secret, 'utf8')), input)
}

function signDirectusInvite(key: KeyObject, input: Pick<DirectusInviteLinkInput, 'email' | 'expiresAt' | 'issuedAt'>): Promise<string> {
  const expires = Date.parse(input.expiresAt)
  if (Number.isNaN(expires)) throw new RangeError(`Not a date: ${input.expiresAt}`)
  const issued = input.issuedAt ?? new Date()
  return new SignJWT({ email: input.email, scope: 'invite' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(Math.floor(issued.getTime() / 1000))
    .setExpirationTime(Math.floor(expires / 1000))
    .setIssuer('directus')
    .sign(key)
}

/**
 * Links for many invites to one server: the SECRET is made a key once, every link is issued at
 * `issuedAt`. An export signs a page of links with it at a time.
 */
export function directusInviteLinker(
  target: { publicUrl: string; secret: string },
  issuedAt: Date
): (invite: { email: string; expiresAt: string }) => Promise<string> {
  const key = createSecretKey(Buffer.from(target.secret, 'utf8'))
  return async (invite) => directusAcceptUrl(target.publicUrl, await signDirectusInvite(key, { ...invite, issuedAt }))
}

/** The accept URL Directus's own invite mail carries (`Url(PUBLIC_URL).addPath('admin', 'accept-invite')`). */
export function directusAcceptUrl(publicUrl: string, token: string): string {
  const url = new URL(publicUrl)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/admin/accept-invite`
  url.searchParams.set('token', token)
  url.hash = ''
  return url.toString()
}

export async function directusInviteLink(input: DirectusInviteLinkInput): Promise<string> {
  return directusAcceptUrl(input.publicUrl, await directusInviteToken(input))
}
