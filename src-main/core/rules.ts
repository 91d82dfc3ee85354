/**
 * Rules that both sides apply: the main process in its input schemas (core/inputs.ts), which have
 * the last word, and the renderer while the admin types, so a problem shows before saving. One
 * set of predicates, one set of messages. Dependency-free and free of Node, so the renderer can
 * bundle it.
 */

// ---------------------------------------------------------------------------------------------
// Text the store can hold

/** In `u` mode a surrogate class matches only a half without its partner. */
const LONE_SURROGATE = /\p{Cs}/u

export const NUL_MESSAGE = 'Contains a NUL character'
export const LONE_SURROGATE_MESSAGE = 'Contains a broken character (half of a UTF-16 pair)'

/**
 * What makes text unfit to store, or null: a NUL, at which SQLite's C functions and the search
 * index stop reading, or a lone UTF-16 surrogate, which has no UTF-8 form and would be written as
 * U+FFFD, a different text from the one checked.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\0')) return NUL_MESSAGE
  if (LONE_SURROGATE.test(text)) return LONE_SURROGATE_MESSAGE
  return null
}

// ---------------------------------------------------------------------------------------------
// IP allow-list entries

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false
  try {
    // The WHATWG URL parser implements the IPv6 grammar: a bracketed host parses only when valid.
    new URL(`http://[${text}]/`)
    return true
  } catch {
    return false
  }
}

export const IP_ENTRY_MESSAGE = 'Not an IPv4/IPv6 address or CIDR range'

/** What is wrong with one IP allow-list entry (an address or a CIDR range), or null. */
export function ipEntryProblem(entry: string): string | null {
  const [address = '', prefix, ...extra] = entry.trim().split('/')
  if (extra.length > 0) return IP_ENTRY_MESSAGE
  const v4 = IPV4.test(address)
  const v6 = !v4 && isIpv6(address)
  if (!v4 && !v6) return IP_ENTRY_MESSAGE
  if (prefix === undefined) return null
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN
  const most = v4 ? 32 : 128
  return bits >= 0 && bits <= most ? null : `The range size after “/” must be 0–${most}`
}

// ---------------------------------------------------------------------------------------------
// The invite URL template

/** The placeholders an invite URL template may hold; each is URL-encoded when filled in. */
export const INVITE_URL_PLACEHOLDERS = ['{token}', '{email}'] as const

/** What is wrong with an invite URL template, or null. An empty template means "bare tokens". */
export function inviteUrlTemplateProblem(template: string): string | null {
  const value = template.trim()
  if (value === '') return null
  if (!value.includes('{token}')) return 'The template must contain {token}'
  let url: URL
  try {
    url = new URL(value.replaceAll('{token}', 'TOKEN').replaceAll('{email}', 'EMAIL'))
  } catch {
    return 'Not a valid URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https links are allowed'
  return null
}

// ---------------------------------------------------------------------------------------------
// The Directus target

/** What is wrong with a Directus public URL (its PUBLIC_URL), or null. */
export function directusUrlProblem(text: string): string | null {
  const value = text.trim()
  if (value === '') return 'Enter the public URL of the Directus server'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'Not a valid URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https addresses are allowed'
  if (url.search !== '' || url.hash !== '') return 'The public URL has no query or fragment'
  if (url.username !== '' || url.password !== '') return 'The public URL carries no user name or password'
  return null
}

/** The public URL as Directus links are built on it: trimmed, without a trailing slash. */
export function normalDirectusUrl(text: string): string {
  return text.trim().replace(/\/+$/, '')
}

// ---------------------------------------------------------------------------------------------
// A custom password pattern

/** The pattern anchored to the whole password, as the policy applies it; null when it does not compile. */
export function compilePasswordPattern(pattern: string): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u')
  } catch {
    return null
  }
}

/** What is wrong with a custom password pattern, or null. */
export function passwordPatternProblem(pattern: string | null | undefined): string | null {
  if (!pattern) return 'A custom policy needs a pattern'
  return compilePasswordPattern(pattern) === null ? 'Not a valid regular expression' : null
}

// ---------------------------------------------------------------------------------------------
// A generated password

const PASSWORD_ALPHABETS = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#%&*+-=?@_'] as const

/** An index below `size` from the Web Crypto random source (in Node and the page alike), without modulo bias. */
function uniformIndex(size: number): number {
  const limit = Math.floor(0x1_0000_0000 / size) * size
  const buffer = new Uint32Array(1)
  for (;;) {
    crypto.getRandomValues(buffer)
    const value = buffer[0] ?? 0
    if (value < limit) return value % size
  }
}

/**
 * A random password that satisfies every built-in policy: upper and lower case, digits and
 * symbols, 20 characters by default; look-alike characters are left out so it can be read aloud.
 */
export function generatePassword(length = 20): string {
  const all = PASSWORD_ALPHABETS.join('')
  const pick = (alphabet: string): string => alphabet[uniformIndex(alphabet.length)] ?? ''
  const characters = PASSWORD_ALPHABETS.map(pick)
  while (characters.length < Math.max(length, PASSWORD_ALPHABETS.length)) characters.push(pick(all))
  for (let index = characters.length - 1; index > 0; index--) {
    const other = uniformIndex(index + 1)
    const swap = characters[index] ?? ''
    characters[index] = characters[other] ?? ''
    characters[other] = swap
  }
  return characters.join('')
}
