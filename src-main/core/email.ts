import { domainToASCII } from 'node:url'
import validator from 'validator'
import { LIMITS } from './model'

export type EmailCheck = { ok: true; email: string; key: string } | { ok: false; reason: string }

/**
 * Check one address and compute its unique key.
 *
 * `email` keeps the casing the admin typed (trimmed); `key` is what uniqueness is decided on:
 * the local part and domain lower-cased, the domain converted to ASCII (punycode), so
 * `Ann@Bücher.de` and `ann@xn--bcher-kva.de` are the same user.
 */
export function checkEmail(raw: string): EmailCheck {
  const email = raw.trim()
  if (email === '') return { ok: false, reason: 'An email address is required' }
  if (email.length > LIMITS.email) {
    return { ok: false, reason: `Longer than ${LIMITS.email} characters` }
  }
  const at = email.lastIndexOf('@')
  if (at < 1 || at === email.length - 1) return { ok: false, reason: 'Not an email address (needs name@domain)' }
  const local = email.slice(0, at)
  const domain = domainToASCII(email.slice(at + 1))
  if (domain === '') return { ok: false, reason: 'The domain is not valid' }
  const ascii = `${local}@${domain}`
  if (ascii.length > LIMITS.email) {
    return { ok: false, reason: `Longer than ${LIMITS.email} characters once the domain is encoded` }
  }
  if (!validator.isEmail(ascii, { allow_utf8_local_part: true, require_tld: true, allow_ip_domain: false })) {
    return { ok: false, reason: 'Not a valid email address' }
  }
  return { ok: true, email, key: `${local.toLowerCase()}@${domain.toLowerCase()}` }
}
