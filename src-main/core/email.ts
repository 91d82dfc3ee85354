/**
 * One address rule for every write path (create, role-page create, invite paste, import, edit,
 * accept): what is stripped, what is refused and what the unique key is. Each path calls
 * `checkEmail`; none cleans an address on its own, so a look-alike cannot get in by one of them.
 */
import { domainToASCII } from 'node:url'
import validator from 'validator'
import { LIMITS } from './model'
import { LONE_SURROGATE_MESSAGE, textProblem } from './rules'

export type EmailCheck = { ok: true; email: string; key: string } | { ok: false; reason: string }

/**
 * Format characters that are invisible but break an address when copied along with it:
 * zero-width space/joiners, word joiner, BOM, soft hyphen, bidi marks and isolates (all of
 * Unicode's "Cf" category), plus the Mongolian vowel separator which older data still carries.
 */
const INVISIBLE = /[\p{Cf}\u180e]/gu

/** `text` without the invisible characters a copy from a mail client or a web page brings along. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '')
}

/**
 * Check one address and compute its unique key.
 *
 * `email` is what is stored and shown: invisible characters removed, trimmed, in Unicode NFC,
 * with the casing the admin typed. NFC too, because a precomposed `é` and `e` + combining accent
 * look the same to the admin: storing either spelling would make the same-looking address match
 * or miss a search, a sort and the systems it is handed to depending on how it was typed.
 * `key` is what uniqueness is decided on: that address with its local part and domain
 * lower-cased and the domain converted to ASCII (punycode), so `Ann@Bücher.de` and
 * `ann@xn--bcher-kva.de` are the same user.
 */
export function checkEmail(raw: string): EmailCheck {
  // Checked first: a lone surrogate makes the validator throw, and it is no address anyway.
  if (textProblem(raw) === LONE_SURROGATE_MESSAGE) return { ok: false, reason: LONE_SURROGATE_MESSAGE }
  const email = stripInvisible(raw).normalize('NFC').trim()
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
  // Lower-casing can decompose (`İ` becomes `i` + a combining dot): normalise again after it.
  return { ok: true, email, key: `${local.toLowerCase().normalize('NFC')}@${domain.toLowerCase()}` }
}
