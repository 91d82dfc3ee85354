import { parse as parseCsv } from 'csv-parse/sync'
import { checkEmail, stripInvisible } from './email'
import { DomainError } from './errors'
import { LIMITS, type PasteEntry, type PastePreview, type PasteEntryStatus } from './model'
import type { PreviewInvitesInput } from './inputs'
import { textProblem } from './rules'
import type { Store } from './store'

/** A parsed entry with the address's unique key, which the invite writer needs. */
export interface ParsedPasteEntry extends PasteEntry {
  /** The normalised address (`checkEmail`'s key) of a valid entry; null otherwise. */
  key: string | null
}

const COMMA = 0x2c
const SEMICOLON = 0x3b
const LINE_FEED = 0x0a
const CARRIAGE_RETURN = 0x0d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const LESS_THAN = 0x3c
const GREATER_THAN = 0x3e

/** Hard separators end an entry; a name never spans them (mail clients put names on one line). */
const isHardSeparator = (code: number): boolean => code === COMMA || code === SEMICOLON || code === LINE_FEED || code === CARRIAGE_RETURN

const isLineEnd = (code: number): boolean => code === LINE_FEED || code === CARRIAGE_RETURN

/** Whitespace as the tokenizer sees it, including no-break and ideographic spaces. */
const SPACE = /\s/u
const isSpace = (code: number): boolean =>
  code === 32 || (code >= 9 && code <= 13) || (code >= 128 && SPACE.test(String.fromCharCode(code)))

type Token =
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'quoted'; text: string; start: number; end: number }
  | { kind: 'angle'; text: string; start: number; end: number }
  | { kind: 'separator' }

/**
 * Split a paste into words, quoted strings, `<addresses>` and hard separators. Whitespace only
 * separates words. A quote or angle bracket that is not closed on the same line is an ordinary
 * character, so one stray `"` cannot swallow the rest of the paste.
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  const length = text.length
  let index = 0
  let wordStart = -1
  const endWord = (end: number): void => {
    if (wordStart >= 0) tokens.push({ kind: 'word', text: text.slice(wordStart, end), start: wordStart, end })
    wordStart = -1
  }
  while (index < length) {
    const code = text.charCodeAt(index)
    if (isHardSeparator(code)) {
      endWord(index)
      tokens.push({ kind: 'separator' })
      index++
      continue
    }
    if (isSpace(code)) {
      endWord(index)
      index++
      continue
    }
    if (code === QUOTE) {
      const quoted = readQuoted(text, index)
      if (quoted) {
        endWord(index)
        tokens.push({ kind: 'quoted', text: quoted.text, start: index, end: quoted.end })
        index = quoted.end
        continue
      }
    } else if (code === LESS_THAN) {
      const close = closingAngle(text, index + 1)
      if (close >= 0) {
        endWord(index)
        tokens.push({ kind: 'angle', text: text.slice(index + 1, close), start: index, end: close + 1 })
        index = close + 1
        continue
      }
    }
    if (wordStart < 0) wordStart = index
    index++
  }
  endWord(length)
  return tokens
}

/** A `"…"` string starting at `start` (backslash escapes the next character), closed on its line. */
function readQuoted(text: string, start: number): { text: string; end: number } | null {
  let value = ''
  let runStart = start + 1
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (isLineEnd(code)) return null
    if (code === QUOTE) return { text: value + text.slice(runStart, index), end: index + 1 }
    if (code === BACKSLASH && index + 1 < text.length && !isLineEnd(text.charCodeAt(index + 1))) {
      value += text.slice(runStart, index)
      index++
      runStart = index
    }
  }
  return null
}

/** The `>` closing an angle bracket opened just before `from`, or -1 when it is not closed on its line. */
function closingAngle(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === GREATER_THAN) return index
    if (isLineEnd(code) || code === LESS_THAN) return -1
  }
  return -1
}

interface Piece {
  raw: string
  /** The text that should be an address. */
  address: string
  /** The display name, when the piece had one (`Name <address>`). */
  name: string | null
  /** First and last name as separate columns of a pasted table, in place of `name`. */
  names?: { firstName: string | null; lastName: string | null }
}

/** What a column of a pasted spreadsheet holds, by its name in the first row. */
type PasteColumn = 'email' | 'firstName' | 'lastName' | 'name' | 'other'

const COLUMN_NAMES: ReadonlyMap<string, PasteColumn> = new Map([
  ...['email', 'emails', 'emailaddress', 'emailaddresses', 'mail', 'mailaddress', 'address', 'useremail'].map(
    (name) => [name, 'email'] as const
  ),
  ...['firstname', 'givenname', 'forename', 'first'].map((name) => [name, 'firstName'] as const),
  ...['lastname', 'surname', 'familyname', 'last'].map((name) => [name, 'lastName'] as const),
  ...['name', 'fullname', 'displayname'].map((name) => [name, 'name'] as const)
])

/** `E-mail address` → `emailaddress`: a column name as people spell it, reduced to compare. */
const columnKey = (cell: string): string =>
  cell
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_.:-]+/gu, '')

/** The first line of a paste when it names columns rather than holding addresses. */
export interface PasteHeader {
  /** The line as pasted. */
  line: string
  columns: PasteColumn[]
  /** How its cells are separated (a spreadsheet copies with tabs); null for a single column. */
  delimiter: '\t' | ',' | ';' | null
  /** The paste after that line. */
  body: string
}

/**
 * A first line such as `Email` or `Email⇥First name⇥Last name` (a spreadsheet's header row, copied
 * with the rows) is column names: no `@` anywhere, and one of its cells names the address column.
 */
export function pasteHeader(text: string): PasteHeader | null {
  const start = text.search(/\S/u)
  if (start < 0) return null
  const end = text.slice(start).search(/[\r\n]/u)
  const line = end < 0 ? text.slice(start) : text.slice(start, start + end)
  if (line.includes('@')) return null
  const delimiter = (['\t', ',', ';'] as const).find((candidate) => line.includes(candidate)) ?? null
  const cells = (delimiter === null ? [line] : line.split(delimiter)).map((cell) => cell.trim().replace(/^"(.*)"$/su, '$1'))
  const columns = cells.map((cell): PasteColumn => COLUMN_NAMES.get(columnKey(cell)) ?? 'other')
  if (columns.filter((column) => column === 'email').length !== 1) return null
  return { line: line.trim(), columns, delimiter, body: end < 0 ? '' : text.slice(start + end) }
}

/**
 * The rows of a pasted table under its header: one piece per row, its address from the email
 * column and its name from the name columns. Null when the rows do not read as that table (a
 * quote left open), so the paste is read as free text instead.
 */
function tablePieces(header: PasteHeader & { delimiter: string }): Piece[] | null {
  let rows: string[][]
  try {
    rows = parseCsv(header.body, { delimiter: header.delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true })
  } catch {
    return null
  }
  const cellOf = (row: string[], kind: PasteColumn): string | null => {
    const index = header.columns.indexOf(kind)
    const cell = index < 0 ? undefined : row[index]?.trim()
    return cell === undefined || cell === '' ? null : cell
  }
  return rows
    .filter((row) => row.some((cell) => cell.trim() !== ''))
    .map((row): Piece => {
      const full = cellOf(row, 'name')
      const names = full !== null ? splitName(full) : { firstName: cellOf(row, 'firstName'), lastName: cellOf(row, 'lastName') }
      return {
        raw: row.join(header.delimiter === '\t' ? ' ' : header.delimiter).trim(),
        address: cellOf(row, 'email') ?? '',
        name: null,
        names
      }
    })
}

/**
 * Group tokens into pieces: name parts followed by `<address>` form one piece; an unquoted word
 * is a piece of its own (a bare address, or something invalid to report); a quoted string not
 * followed by `<address>` is taken as a quoted address.
 */
function group(text: string, tokens: Token[]): Piece[] {
  const pieces: Piece[] = []
  let names: Array<Extract<Token, { kind: 'word' | 'quoted' }>> = []
  const flushNames = (): void => {
    for (const token of names) {
      pieces.push({ raw: text.slice(token.start, token.end), address: token.text, name: null })
    }
    names = []
  }
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]
    if (token === undefined) continue
    switch (token.kind) {
      case 'separator':
        flushNames()
        break
      case 'word':
        // An address written bare ends whatever came before it (`a@x.org Ann <ann@y.org>`),
        // unless it is the name of the address that follows (`ann@y.org <ann@y.org>`).
        if (token.text.includes('@') && tokens[index + 1]?.kind !== 'angle') {
          flushNames()
          pieces.push({ raw: token.text, address: token.text, name: null })
        } else {
          names.push(token)
        }
        break
      case 'quoted':
        names.push(token)
        break
      case 'angle': {
        const first = names[0]
        const start = first ? first.start : token.start
        pieces.push({
          raw: text.slice(start, token.end),
          address: token.text,
          name: nameOf(names)
        })
        names = []
        break
      }
    }
  }
  flushNames()
  return pieces
}

/** The display name from the parts before `<address>`; parts that are addresses are not names. */
function nameOf(parts: ReadonlyArray<{ text: string }>): string | null {
  const words = parts.filter((part) => !part.text.includes('@')).map((part) => part.text)
  return words.length > 0 ? words.join(' ') : null
}

/** `"Last, First"` → first = First, last = Last; `First Last` → first, and the rest as last. */
export function splitName(name: string): { firstName: string | null; lastName: string | null } {
  let cleaned = name.replace(/\s+/gu, ' ').trim()
  if (cleaned.length >= 2 && cleaned.startsWith("'") && cleaned.endsWith("'")) cleaned = cleaned.slice(1, -1).trim()
  // Mail clients repeat the address as the name when there is none.
  if (cleaned === '' || cleaned.includes('@')) return { firstName: null, lastName: null }
  const comma = cleaned.indexOf(',')
  if (comma >= 0) {
    const last = cleaned.slice(0, comma).trim()
    const first = cleaned.slice(comma + 1).trim()
    return { firstName: first || null, lastName: last || null }
  }
  const space = cleaned.indexOf(' ')
  if (space < 0) return { firstName: cleaned, lastName: null }
  return { firstName: cleaned.slice(0, space), lastName: cleaned.slice(space + 1) }
}

function entryOf(piece: Piece): ParsedPasteEntry {
  let address = piece.address.trim()
  if (address.length > 7 && address.slice(0, 7).toLowerCase() === 'mailto:') address = address.slice(7).trim()
  const name = piece.names ?? (piece.name === null ? NO_NAME : splitName(piece.name))
  const check = checkEmail(address)
  const given = piece.names ? [piece.names.firstName, piece.names.lastName].filter((part) => part !== null).join(' ') : piece.name
  const nameProblem = given === null ? null : textProblem(given)
  let reason: string | null = null
  if (!check.ok) reason = check.reason
  else if (tooLong(name.firstName)) reason = `The first name is longer than ${LIMITS.personName} characters`
  else if (tooLong(name.lastName)) reason = `The last name is longer than ${LIMITS.personName} characters`
  else if (nameProblem !== null) reason = `The name ${nameProblem.charAt(0).toLowerCase()}${nameProblem.slice(1)}`
  return {
    raw: piece.raw,
    email: check.ok ? check.email : address === '' ? null : address,
    key: reason === null && check.ok ? check.key : null,
    firstName: name.firstName,
    lastName: name.lastName,
    status: reason === null ? 'valid' : 'invalid',
    reason
  }
}

const NO_NAME = { firstName: null, lastName: null } as const

function tooLong(name: string | null): boolean {
  return name !== null && name.length > LIMITS.personName && [...name].length > LIMITS.personName
}

/** Free text: addresses, with names where they are written `Name <address>`. */
function textPieces(cleaned: string): Piece[] {
  // Without quotes or angle brackets there are no names: every separated word is a piece.
  return cleaned.includes('"') || cleaned.includes('<')
    ? group(cleaned, tokenize(cleaned))
    : cleaned
        .split(/[\s,;]+/u)
        .filter((word) => word !== '')
        .map((word): Piece => ({ raw: word, address: word, name: null }))
}

/**
 * Read a paste into entries, in paste order: valid, invalid (with the reason) or duplicate (a
 * repeat, ignoring case, of an earlier valid entry, which it names). A first line of column
 * names (`pasteHeader`, returned beside the entries) is no entry; under several columns, each row
 * is one entry. Writes nothing.
 */
export function parsePasteEntries(text: string): { entries: ParsedPasteEntry[]; header: PasteHeader | null } {
  // Stripped before splitting as well, so an invisible character never joins or splits entries.
  const cleaned = stripInvisible(text)
  const header = pasteHeader(cleaned)
  const table = header?.delimiter ? tablePieces({ ...header, delimiter: header.delimiter }) : null
  const pieces = table ?? textPieces(header ? header.body : cleaned)
  if (pieces.length > LIMITS.pasteEntries) {
    throw new DomainError(
      'limit_exceeded',
      `The paste holds ${pieces.length.toLocaleString('en-US')} entries; at most ${LIMITS.pasteEntries.toLocaleString('en-US')} can be invited at once`,
      { text: `At most ${LIMITS.pasteEntries.toLocaleString('en-US')} entries` }
    )
  }
  const firstByKey = new Map<string, string>()
  const entries = pieces.map((piece): ParsedPasteEntry => {
    const entry = entryOf(piece)
    if (entry.key === null || entry.email === null) return entry
    const first = firstByKey.get(entry.key)
    if (first === undefined) {
      firstByKey.set(entry.key, entry.email)
      return entry
    }
    return { ...entry, key: null, status: 'duplicate', reason: `Already in this paste as ${first}` }
  })
  return { entries, header }
}

/** How many items fall in each kind, every kind present (zero when none). */
export function countBy<K extends string, T>(kinds: readonly K[], items: readonly T[], kindOf: (item: T) => K): Record<K, number> {
  const counts = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<K, number> // every kind set just above
  for (const item of items) counts[kindOf(item)]++
  return counts
}

const PASTE_STATUSES: readonly PasteEntryStatus[] = ['valid', 'invalid', 'duplicate']

export function parsePaste(text: string): PastePreview {
  const parsed = parsePasteEntries(text)
  const entries = parsed.entries.map(({ raw, email, firstName, lastName, status, reason }): PasteEntry => ({
    raw,
    email,
    firstName,
    lastName,
    status,
    reason
  }))
  return {
    entries,
    counts: countBy(PASTE_STATUSES, entries, (entry) => entry.status),
    header: parsed.header?.line ?? null
  }
}

export function previewInvites(_store: Store, input: PreviewInvitesInput): PastePreview {
  return parsePaste(input.text)
}
