/**
 * LDAP hand-off: LDIF (RFC 2849), the text every LDAP server loads (`ldapadd`, `slapadd`) and
 * prints (`slapcat`, `ldapsearch -LLL`). Writer and reader sit side by side because the mapping
 * below is one decision: whatever the writer puts in an attribute, the reader must take back out
 * exactly, or an export imported into an empty database would not reproduce the directory.
 *
 * - Only the stock schema (core, cosine, inetorgperson) is used: a file that needed a schema of
 *   our own would be refused by every server that had not loaded it. So Rolekeeper's fields ride
 *   on standard attributes, and role settings on the group's `businessCategory` as `key=value`.
 * - The organizational units `ou=people` and `ou=groups` are written first, so the file loads
 *   under any existing base entry; the base entry itself is not written (the server has it, and
 *   its object classes depend on its form: dc, o, ou…). On a tree that already has the units,
 *   `ldapadd -c` goes past them.
 * - The writer streams: user entries go out as batches arrive, and only each role's member ids
 *   are kept, because a `groupOfNames` lists its members and so comes after them.
 * - The reader is hand-written: the npm `ldif` parser (pegjs) fails a whole file on one bad line
 *   and keeps no line numbers, while an import must make a broken entry one problem at its line
 *   and read on.
 *
 * | Rolekeeper          | LDAP                                                                   |
 * |---------------------|------------------------------------------------------------------------|
 * | user                | `uid=<id>,ou=people,<base>`, objectClass `inetOrgPerson`               |
 * | user id             | `uid` (the RDN); read back only when it is a UUID, else `id: null`     |
 * | email               | `mail` (IA5String: ASCII only, so other addresses are refused)         |
 * | first name          | `givenName`                                                            |
 * | last name           | `sn`; without one, `sn` repeats the first name (then sn = cn =         |
 * |                     | givenName), or without any name is the uid — the reader undoes both    |
 * | (display)           | `cn`: "first last", one of them, or the email                          |
 * | status              | `employeeType` (the status word; other values are not read as status)  |
 * | title / location    | `title` / `l`                                                          |
 * | description         | `description`                                                          |
 * | tags                | `businessCategory`, one value per tag, in order                        |
 * | invite token        | not written: a directory is read by many, a token is a bearer secret   |
 * | role                | `cn=<name>,ou=groups,<base>`, objectClass `groupOfNames` + `uidObject` |
 * |                     | (`cn=<name>+uid=<id>` when LDAP would see two names as the same)       |
 * | role id / name      | `uid` / `cn`                                                           |
 * | role description    | `description`                                                          |
 * | icon, admin access, | `businessCategory: icon=…`, `adminAccess=TRUE`, `appAccess=FALSE`,     |
 * | app access, 2FA, IP | `enforceTfa=…`, `ipAccess=<addresses separated by spaces>`             |
 * | membership          | `member` (read: `member` and `uniqueMember` of groupOfUniqueNames)     |
 * | (no members)        | `member:` the empty DN: groupOfNames must have one, and it names no    |
 * |                     | entry (OpenLDAP takes it; the reader reads it as no member)            |
 */
import { isUtf8 } from 'node:buffer'
import { USER_STATUSES } from '../model'
import type {
  DirectoryRole,
  DirectoryUser,
  HandoffContext,
  HandoffFormat,
  HandoffWriter,
  SourceDirectory,
  SourceProblem,
  SourceRole,
  SourceUser
} from './handoff'

const PEOPLE_RDN = 'ou=people'
const GROUPS_RDN = 'ou=groups'
/** RFC 2849 suggests folding lines longer than this; slapcat and ldapsearch do the same. */
const FOLD_WIDTH = 76

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const STATUS_WORDS: ReadonlySet<string> = new Set(USER_STATUSES)

// ---------------------------------------------------------------------------------------------
// Values and DNs, shared by both directions

/**
 * The form under which LDAP compares two strings (RFC 4518 as OpenLDAP does it, closely enough:
 * checked against slapd for case, compatibility forms like "ﬁ" or full-width digits, and runs of
 * spaces). Two role names or two tags with the same fold are one value to the server.
 */
export function ldapFold(value: string): string {
  // Printable ASCII has no compatibility forms: only case and spaces count (and this is the hot path).
  if (/^[ -~]*$/.test(value)) return value.toLowerCase().replace(/ {2,}/g, ' ').trim()
  return value.normalize('NFKC').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim()
}

/** One attribute value of a DN, escaped per RFC 4514 (`=` too: allowed, and safer for old parsers). */
export function escapeDnValue(value: string): string {
  if (/^[\w.@-]+$/.test(value)) return value
  let out = ''
  const last = value.length - 1
  for (let i = 0; i <= last; i++) {
    const c = value[i] as string
    if (c === '\0') out += '\\00'
    else if ('\\"+,;<>='.includes(c)) out += `\\${c}`
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === last && c === ' ')) out += `\\${c}`
    else out += c
  }
  return out
}

interface Ava {
  /** Lower-cased attribute type. */
  type: string
  value: string
  /** `#…` BER form: `value` holds the lower-cased hex digits. */
  hex: boolean
}
type Dn = Ava[][]

const DN_TYPE = /[A-Za-z][A-Za-z0-9-]*|(?:oid\.)?[0-9]+(?:\.[0-9]+)*/iy
const HEX_PAIRS = /(?:[0-9a-f]{2})+/iy
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Parse a DN (RFC 4514, with RFC 2253's spaces around `=`, `,` and `+`, `;` as a separator and
 * RFC 1779 quoted values, as older tools write them). Null when it is not a DN.
 */
export function parseDn(text: string): Dn | null {
  if (!/[\\"#;]/.test(text)) return parsePlainDn(text)
  const dn: Dn = []
  let rdn: Ava[] = []
  const n = text.length
  let i = 0
  const skipSpaces = (): void => {
    while (text[i] === ' ') i++
  }
  skipSpaces()
  if (i === n) return dn
  for (;;) {
    skipSpaces()
    DN_TYPE.lastIndex = i
    const type = DN_TYPE.exec(text)
    if (!type) return null
    i += type[0].length
    skipSpaces()
    if (text[i] !== '=') return null
    i++
    skipSpaces()
    let ava: Ava
    if (text[i] === '#') {
      HEX_PAIRS.lastIndex = i + 1
      const hex = HEX_PAIRS.exec(text)
      if (!hex) return null
      i += 1 + hex[0].length
      ava = { type: '', value: hex[0].toLowerCase(), hex: true }
    } else {
      const value = readDnValue(text, i)
      if (!value) return null
      i = value.end
      ava = { type: '', value: value.value, hex: false }
    }
    ava.type = type[0].toLowerCase().replace(/^oid\./, '')
    rdn.push(ava)
    skipSpaces()
    if (i === n) {
      dn.push(rdn)
      return dn
    }
    const separator = text[i++]
    if (separator === '+') continue
    if (separator !== ',' && separator !== ';') return null
    dn.push(rdn)
    rdn = []
  }
}

const PLAIN_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:oid\.)?[0-9]+(?:\.[0-9]+)*)$/i

/** Spaces only, as the full parser skips them (String.trim would take tabs and NBSP too). */
function trimSpaces(text: string): string {
  let from = 0
  let to = text.length
  while (text[from] === ' ') from++
  while (to > from && text[to - 1] === ' ') to--
  return text.slice(from, to)
}

/** The same result as parseDn for a DN without escapes, quotes or BER values: most DNs, read fast. */
function parsePlainDn(text: string): Dn | null {
  if (trimSpaces(text) === '') return []
  const dn: Dn = []
  for (const part of text.split(',')) {
    const rdn: Ava[] = []
    for (const pair of part.split('+')) {
      const equals = pair.indexOf('=')
      const type = equals < 0 ? '' : trimSpaces(pair.slice(0, equals))
      if (!PLAIN_TYPE.test(type)) return null
      rdn.push({ type: type.toLowerCase().replace(/^oid\./, ''), value: trimSpaces(pair.slice(equals + 1)), hex: false })
    }
    dn.push(rdn)
  }
  return dn
}

/** A string value from `start`: escapes undone, unescaped spaces at its end dropped. */
function readDnValue(text: string, start: number): { value: string; end: number } | null {
  const quoted = text[start] === '"'
  let i = quoted ? start + 1 : start
  let out = ''
  let bytes: number[] = []
  let trailingSpaces = 0
  const flush = (): boolean => {
    if (bytes.length === 0) return true
    try {
      out += utf8.decode(new Uint8Array(bytes))
    } catch {
      return false
    }
    bytes = []
    return true
  }
  for (; i < text.length; i++) {
    const c = text[i] as string
    if (c === '\\') {
      const pair = text.slice(i + 1, i + 3)
      if (/^[0-9a-f]{2}$/i.test(pair)) {
        bytes.push(parseInt(pair, 16))
        i += 2
      } else {
        const escaped = text[i + 1]
        if (escaped === undefined || !flush()) return null
        out += escaped
        i++
      }
      trailingSpaces = 0
      continue
    }
    if (quoted ? c === '"' : c === ',' || c === ';' || c === '+') break
    if (!flush()) return null
    out += c
    trailingSpaces = c === ' ' && !quoted ? trailingSpaces + 1 : 0
  }
  if (quoted && text[i] !== '"') return null
  if (!flush()) return null
  return { value: out.slice(0, out.length - trailingSpaces), end: quoted ? i + 1 : i }
}

/** The DN written one way: lower-case types, no spaces, minimal escapes, values as they are. */
function canonicalDn(dn: Dn): string {
  return dn.map((rdn) => rdn.map((ava) => `${ava.type}=${ava.hex ? `#${ava.value}` : escapeDnValue(ava.value)}`).join('+')).join(',')
}

/** What two DNs must share to name one entry, as an LDAP server compares them. */
function dnKey(dn: Dn): string {
  return dn
    .map((rdn) =>
      rdn
        .map((ava) => `${ava.type}=${ava.hex ? `#${ava.value}` : escapeDnValue(ldapFold(ava.value))}`)
        .sort()
        .join('+')
    )
    .join(',')
}

/** Why a base DN cannot be used, or null: for the Export dialog, before anything is written. */
export function ldifBaseDnProblem(baseDn: string): string | null {
  if (baseDn.trim() === '') return 'A base DN is needed, e.g. dc=example,dc=org'
  return parseDn(baseDn) ? null : `"${baseDn}" is not a distinguished name (e.g. dc=example,dc=org)`
}

// ---------------------------------------------------------------------------------------------
// Writing

/** RFC 2849 SAFE-STRING; anything else goes base64 (`attr:: …`). */
// eslint-disable-next-line no-control-regex -- the RFC's grammar is made of control-character ranges
const SAFE_STRING = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/

function line(type: string, value: string): string {
  // A trailing space is SAFE-STRING, but RFC 2849 asks for base64 so that no tool trims it.
  return fold(
    SAFE_STRING.test(value) && !value.endsWith(' ') ? `${type}: ${value}` : `${type}:: ${Buffer.from(value, 'utf8').toString('base64')}`
  )
}

function fold(text: string): string {
  if (text.length <= FOLD_WIDTH) return `${text}\n`
  // By code points, so that no character of a comment is split; attribute lines are ASCII by now.
  const units = /^\p{ASCII}*$/u.test(text) ? text : Array.from(text)
  const piece = (from: number, to: number): string => (typeof units === 'string' ? units.slice(from, to) : units.slice(from, to).join(''))
  let folded = piece(0, FOLD_WIDTH)
  for (let at = FOLD_WIDTH; at < units.length; at += FOLD_WIDTH - 1) folded += `\n ${piece(at, at + FOLD_WIDTH - 1)}`
  return `${folded}\n`
}

/** Empty text is absent, as in the store: LDAP has no empty Directory String. */
function present(value: string | null): value is string {
  return value !== null && value !== ''
}

function under(rdn: string, base: string): string {
  return base === '' ? rdn : `${rdn},${base}`
}

function comment(text: string): string {
  return fold(`# ${text.replace(/[\r\n]+/g, ' ')}`)
}

function userEntry(user: DirectoryUser, peopleDn: string): string {
  const first = present(user.firstName) ? user.firstName : null
  const last = present(user.lastName) ? user.lastName : null
  const display = first !== null && last !== null ? `${first} ${last}` : (first ?? last ?? user.email)
  let out = line('dn', under(`uid=${escapeDnValue(user.id)}`, peopleDn))
  out += 'objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: inetOrgPerson\n'
  out += line('uid', user.id)
  out += line('cn', display)
  out += line('sn', last ?? first ?? user.id)
  if (first !== null) out += line('givenName', first)
  out += line('mail', user.email)
  out += line('employeeType', user.status)
  if (present(user.title)) out += line('title', user.title)
  if (present(user.location)) out += line('l', user.location)
  if (present(user.description)) out += line('description', user.description)
  for (const tag of user.tags) if (tag !== '') out += line('businessCategory', tag)
  return `${out}\n`
}

/** `members`: the group's `member` lines, each ending in a newline; '' for none. */
function groupEntry(role: DirectoryRole, dn: string, members: string): string {
  let out = line('dn', dn)
  out += 'objectClass: top\nobjectClass: groupOfNames\nobjectClass: uidObject\n'
  out += line('cn', role.name)
  out += line('uid', role.id)
  if (present(role.description)) out += line('description', role.description)
  out += line('businessCategory', `icon=${role.icon}`)
  out += line('businessCategory', `adminAccess=${role.adminAccess ? 'TRUE' : 'FALSE'}`)
  out += line('businessCategory', `appAccess=${role.appAccess ? 'TRUE' : 'FALSE'}`)
  out += line('businessCategory', `enforceTfa=${role.enforceTfa ? 'TRUE' : 'FALSE'}`)
  // One value, not one per address: LDAP values are a set, and "::1" twice would be refused.
  if (role.ipAccess.length > 0) out += line('businessCategory', `ipAccess=${role.ipAccess.join(' ')}`)
  // groupOfNames must have a member: a role without members holds the empty DN, which names no entry.
  return `${out}${members === '' ? 'member:\n' : members}\n`
}

function ldifWriter(context: HandoffContext): HandoffWriter {
  const base = context.options.baseDn.trim()
  const peopleDn = under(PEOPLE_RDN, base)
  const groupsDn = under(GROUPS_RDN, base)
  const userDn = (id: string): string => under(`uid=${escapeDnValue(id)}`, peopleDn)
  const carried = new Set(context.roles.map((role) => role.id))
  /**
   * Role id → its members' `member` lines so far: all a group needs, written at the end. Kept as
   * UTF-8 bytes a batch at a time, outside the JavaScript heap, where 100,000 lines held to the
   * end would otherwise survive every young-generation collection and make V8 grow its heap.
   */
  const members = new Map<string, Buffer[]>()

  return {
    start() {
      let out = 'version: 1\n'
      out += comment(`Rolekeeper hand-off for an LDAP directory, ${context.directoryId}, exported ${context.exportedAt}.`)
      out += comment(`Load it with: ldapadd -x -D <admin DN> -W -f <this file> (under an existing ${base || 'base entry'}).`)
      out += '\n'
      out += line('dn', peopleDn)
      out += 'objectClass: top\nobjectClass: organizationalUnit\nou: people\n\n'
      out += line('dn', groupsDn)
      out += 'objectClass: top\nobjectClass: organizationalUnit\nou: groups\n\n'
      return out
    },
    users(batch) {
      let out = ''
      const lines = new Map<string, string>()
      for (const user of batch) {
        out += userEntry(user, peopleDn)
        if (user.roleId === null || !carried.has(user.roleId)) continue
        lines.set(user.roleId, (lines.get(user.roleId) ?? '') + line('member', userDn(user.id)))
      }
      for (const [roleId, held] of lines) {
        const chunks = members.get(roleId)
        if (chunks) chunks.push(Buffer.from(held))
        else members.set(roleId, [Buffer.from(held)])
      }
      return out
    },
    end() {
      let out = ''
      const taken = new Set<string>()
      for (const role of context.roles) {
        // Names LDAP compares as equal ("Ops" and "OPS") would be one DN: the later one adds its id.
        const key = ldapFold(role.name)
        const rdn = taken.has(key) ? `cn=${escapeDnValue(role.name)}+uid=${escapeDnValue(role.id)}` : `cn=${escapeDnValue(role.name)}`
        taken.add(key)
        out += groupEntry(role, under(rdn, groupsDn), Buffer.concat(members.get(role.id) ?? []).toString())
      }
      members.clear()
      return out
    }
  }
}

function refuseUser(user: DirectoryUser): string | null {
  if (/\P{ASCII}/u.test(user.email)) {
    return 'LDAP refuses this address: the mail attribute takes ASCII characters only (IA5String)'
  }
  const seen = new Map<string, string>()
  for (const tag of user.tags) {
    const key = ldapFold(tag)
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      return `LDAP refuses tags that differ only in case or spacing ("${earlier}" and "${tag}"): keep one of them`
    }
    seen.set(key, tag)
  }
  return null
}

/** Nothing: a role without members goes out as a group whose one member is the empty DN. */
function refuseRole(): string | null {
  return null
}

// ---------------------------------------------------------------------------------------------
// Reading

interface LogicalLine {
  text: string
  /** 1-based line of the physical line it starts on. */
  line: number
}

type Value = string | Uint8Array

interface Entry {
  line: number
  dnText: string
  dn: Dn
  /** Lower-cased attribute description (with options) → values in file order. */
  attributes: Map<string, Value[]>
}

class EntryProblem extends Error {
  constructor(
    readonly line: number,
    reason: string
  ) {
    super(reason)
  }
}

const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

/** One `attr: value` line; a `:<` URL value is not fetched (an import reads no other files). */
function attributeLine(logical: LogicalLine): { type: string; value: Value | null } {
  const text = logical.text
  const colon = text.indexOf(':')
  const description = colon > 0 ? text.slice(0, colon) : ''
  if (!ATTRIBUTE_DESCRIPTION.test(description)) {
    throw new EntryProblem(logical.line, `Not an "attribute: value" line: ${excerpt(text)}`)
  }
  const type = description.toLowerCase()
  const marker = text[colon + 1]
  if (marker === '<') return { type, value: null }
  if (marker !== ':') return { type, value: text.slice(colon + 1).replace(/^ +/, '') }
  const encoded = text.slice(colon + 2).trim()
  if (!BASE64.test(encoded)) throw new EntryProblem(logical.line, `The value of ${description} is not valid base64`)
  const bytes = Buffer.from(encoded, 'base64')
  return { type, value: isUtf8(bytes) ? bytes.toString('utf8') : new Uint8Array(bytes) }
}

/** Physical lines → records of logical (unfolded) lines, comments dropped, one record at a time. */
function* records(text: string): Generator<LogicalLine[]> {
  let hasComment = false
  const content = (record: LogicalLine[]): LogicalLine[] =>
    hasComment ? record.filter((logical) => !logical.text.startsWith('#')) : record
  let record: LogicalLine[] = []
  let previous: LogicalLine | null = null
  let hasContent = false
  // Scanned line by line rather than split: a 100,000-user file would be a million-string array.
  let at = text.startsWith('\ufeff') ? 1 : 0
  for (let index = 0; at <= text.length; index++) {
    const newline = text.indexOf('\n', at)
    const stop = newline < 0 ? text.length : newline
    const raw = text.slice(at, text[stop - 1] === '\r' && stop > at ? stop - 1 : stop)
    at = stop + 1
    if (raw === '') {
      if (hasContent) yield content(record)
      record = []
      hasContent = false
      hasComment = false
      previous = null
    } else if (raw.startsWith(' ') && previous) {
      previous.text += raw.slice(1)
    } else {
      const isComment = raw.startsWith('#')
      // A `dn:` line always starts an entry, even where the blank line before it is missing.
      if (hasContent && !isComment && /^dn::?/i.test(raw)) {
        yield content(record)
        record = []
        hasComment = false
      }
      previous = { text: raw, line: index + 1 }
      record.push(previous)
      hasContent ||= !isComment
      hasComment ||= isComment
    }
  }
  if (hasContent) yield content(record)
}

/** A line inside an entry: a problem with it also names the entry, whose start may be far above. */
function attributeLineOf(logical: LogicalLine, dn: string): ReturnType<typeof attributeLine> {
  try {
    return attributeLine(logical)
  } catch (error) {
    if (error instanceof EntryProblem) throw new EntryProblem(error.line, `${error.message} (in the entry ${excerpt(dn)})`)
    throw error
  }
}

function parseEntry(lines: readonly LogicalLine[]): Entry {
  const head = lines[0] as LogicalLine
  const dnLine = attributeLine(head)
  if (dnLine.type !== 'dn') {
    throw new EntryProblem(head.line, `An entry must start with "dn:", not with: ${excerpt(head.text)}`)
  }
  if (typeof dnLine.value !== 'string') throw new EntryProblem(head.line, 'The DN is not UTF-8 text')
  const dn = parseDn(dnLine.value)
  if (!dn) throw new EntryProblem(head.line, `"${excerpt(dnLine.value)}" is not a distinguished name`)
  const attributes = new Map<string, Value[]>()
  let index = 1
  while (index < lines.length && /^control:/i.test((lines[index] as LogicalLine).text)) index++
  const change = lines[index]
  if (change && /^changetype:/i.test(change.text)) {
    const kind = String(attributeLine(change).value).trim()
    if (kind.toLowerCase() !== 'add') {
      throw new EntryProblem(
        head.line,
        `A "changetype: ${kind}" record changes entries elsewhere: only entries and "changetype: add" records are read`
      )
    }
    index++
  }
  for (; index < lines.length; index++) {
    const { type, value } = attributeLineOf(lines[index] as LogicalLine, dnLine.value)
    if (value === null) continue
    const values = attributes.get(type)
    if (values) values.push(value)
    else attributes.set(type, [value])
  }
  return { line: head.line, dnText: dnLine.value, dn, attributes }
}

/** Text values of one attribute (no options); a binary value where text is meant is a problem. */
function texts(entry: Entry, type: string): string[] {
  const values = entry.attributes.get(type) ?? []
  return values.map((value) => {
    if (typeof value === 'string') return value
    throw new EntryProblem(entry.line, `The ${type} value is not UTF-8 text`)
  })
}

function first(entry: Entry, type: string): string | null {
  return texts(entry, type)[0] ?? null
}

function firstUuid(entry: Entry): string | null {
  return texts(entry, 'uid').find((value) => UUID.test(value)) ?? null
}

function readUser(entry: Entry): SourceUser {
  const id = firstUuid(entry)
  const givenName = first(entry, 'givenname')
  const sn = first(entry, 'sn')
  const cn = first(entry, 'cn')
  // Undo the writer's stand-ins for a missing surname (see the table at the top).
  const noSurname = sn === null || (id !== null && sn === id) || (givenName !== null && sn === givenName && cn === givenName)
  const status = texts(entry, 'employeetype')
    .map((value) => value.toLowerCase())
    .find((value) => STATUS_WORDS.has(value))
  const user: SourceUser = {
    line: entry.line,
    id,
    email: (first(entry, 'mail') ?? '').trim(),
    firstName: givenName,
    lastName: noSurname ? null : sn,
    roles: [],
    title: first(entry, 'title'),
    location: first(entry, 'l'),
    description: first(entry, 'description'),
    tags: texts(entry, 'businesscategory')
  }
  if (status !== undefined) user.status = status
  return user
}

function readBoolean(value: string): boolean | undefined {
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  return undefined
}

function readRole(entry: Entry, ref: string): SourceRole {
  const rdnName = entry.dn[0]?.find((ava) => ava.type === 'cn' && !ava.hex)?.value
  const role: SourceRole = {
    ref,
    id: firstUuid(entry),
    name: first(entry, 'cn') ?? rdnName ?? ref,
    description: first(entry, 'description'),
    line: entry.line
  }
  let ours = false
  for (const value of texts(entry, 'businesscategory')) {
    const setting = /^(icon|adminAccess|appAccess|enforceTfa|ipAccess)=(.*)$/is.exec(value)
    if (!setting) continue
    ours = true
    const key = (setting[1] as string).toLowerCase()
    const text = setting[2] as string
    if (key === 'icon') role.icon = text
    else if (key === 'ipaccess') role.ipAccess = text.split(' ').filter((address) => address !== '')
    else {
      const flag = readBoolean(text)
      if (flag === undefined) continue
      if (key === 'adminaccess') role.adminAccess = flag
      else if (key === 'appaccess') role.appAccess = flag
      else role.enforceTfa = flag
    }
  }
  // The writer leaves out an empty IP list; a group that carries our settings says "none" by that.
  if (ours && role.ipAccess === undefined) role.ipAccess = []
  return role
}

/** Member DNs as written; `uniqueMember` may end in an optional `#'0101'B` uid (nameAndOptionalUID). */
function memberDns(entry: Entry): string[] {
  const uniqueMembers = texts(entry, 'uniquemember').map((value) => value.replace(/(?<!\\)#'[01]*'B$/, ''))
  return [...texts(entry, 'member'), ...uniqueMembers]
}

function read(text: string): SourceDirectory {
  const users: SourceUser[] = []
  const roles: SourceRole[] = []
  const problems: SourceProblem[] = []
  const userByKey = new Map<string, SourceUser>()
  /** The DN exactly as its entry wrote it: most member values are the same text, and need no parsing. */
  const userByDn = new Map<string, SourceUser>()
  const groups: { role: SourceRole; members: string[] }[] = []
  const seen = new Map<string, number>()

  let atStart = true
  for (const record of records(text)) {
    // `version: 1` heads the file, and may be followed by the first entry without a blank line.
    const lines = atStart && /^version:/i.test((record[0] as LogicalLine).text) ? record.slice(1) : record
    atStart = false
    if (lines.length === 0) continue
    try {
      const entry = parseEntry(lines)
      const classes = new Set(texts(entry, 'objectclass').map((value) => value.trim().toLowerCase()))
      const isUser = classes.has('inetorgperson')
      const isGroup = classes.has('groupofnames') || classes.has('groupofuniquenames')
      if (!isUser && !isGroup) continue
      const key = dnKey(entry.dn)
      const earlier = seen.get(key)
      if (earlier !== undefined) {
        throw new EntryProblem(entry.line, `The DN ${excerpt(entry.dnText)} is already the entry on line ${earlier}`)
      }
      if (isUser) {
        const user = readUser(entry)
        seen.set(key, entry.line)
        users.push(user)
        userByKey.set(key, user)
        userByDn.set(entry.dnText, user)
      } else {
        const role = readRole(entry, canonicalDn(entry.dn))
        const members = memberDns(entry)
        seen.set(key, entry.line)
        roles.push(role)
        groups.push({ role, members })
      }
    } catch (error) {
      if (!(error instanceof EntryProblem)) throw error
      problems.push({ line: error.line, reason: error.message })
    }
  }

  // Groups may come before or after their members: resolve once everything is read.
  for (const { role, members } of groups) {
    for (const member of members) {
      let user = userByDn.get(member)
      if (!user) {
        const dn = parseDn(member)
        user = dn ? userByKey.get(dnKey(dn)) : undefined
      }
      if (user && !user.roles.includes(role.ref)) user.roles.push(role.ref)
    }
  }
  return { roles, users, problems }
}

function recognise(head: string): boolean {
  for (const raw of head.replace(/^\ufeff/, '').split(/\r?\n/)) {
    if (raw.trim() === '' || raw.startsWith('#') || raw.startsWith(' ')) continue
    return /^version:\s*1\s*$/i.test(raw) || /^dn::?/i.test(raw)
  }
  return false
}

export const ldifFormat: HandoffFormat = {
  id: 'ldif',
  label: 'LDAP (LDIF)',
  destination: 'An LDAP directory (OpenLDAP, 389 DS, …): load it with ldapadd',
  extension: 'ldif',
  // No IANA registration exists; this is the name shared-mime-info gives *.ldif.
  mimeType: 'text/x-ldif',
  writer: ldifWriter,
  refuseUser,
  refuseRole,
  recognise,
  read
}
