/**
 * Rolekeeper's CSV, both directions.
 *
 * Out: invite lists and user exports, RFC 4180 (CRLF, quotes where needed), UTF-8 with an
 * optional byte order mark for Excel, and every cell a spreadsheet would run as a formula
 * neutralised. Quoting is csv-stringify's; only the neutralising is ours.
 *
 * In: the import's CSV, as people save it from spreadsheets: comma, semicolon or tab, a BOM or
 * not, mixed line ends, columns found by their header names in any order. Every data row keeps
 * the line it starts on, so the preview can point at it.
 */
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { DomainError } from '../errors'
import { IMPORT_ROW_LIMIT, type ImportField } from '../model'
import { columnsOf, listRecord, roleNames, type ListKind } from './columns'
import type { DirectoryRole, DirectoryUser, HandoffWriter, SourceDirectory, SourceProblem, SourceUser } from './handoff'

// ---------------------------------------------------------------------------------------------
// Writing

/** Characters that make a spreadsheet read a cell as a formula (or hide where it starts). */
const FORMULA_START = /^[=+\-@\t\r\n]/

/** A cell a spreadsheet would run as a formula gets a leading apostrophe: it shows as text. */
export function neutraliseCell(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell
}

function cellOf(value: string | string[] | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return neutraliseCell(Array.isArray(value) ? value.join('; ') : value)
}

const CSV_OPTIONS = {
  // RFC 4180 line breaks; a lone CR or LF inside a cell must be quoted too, not only CRLF.
  record_delimiter: 'windows',
  quoted_match: /[\r\n]/
} as const

const BOM = '\uFEFF'

export interface CsvWriterOptions {
  kind: ListKind
  roles: readonly DirectoryRole[]
  /** Start with a UTF-8 byte order mark so Excel reads the file as UTF-8. */
  bom: boolean
}

/**
 * What makes csv-stringify quote a cell with these options: the delimiter, the quote, or a line
 * break. A row with none of them is its cells joined by commas, CRLF-terminated, which is what
 * csv-stringify writes for it; it is written so directly because the library's per-cell
 * generality costs most of an export of 100,000 rows. Any other row goes through the library.
 */
const NEEDS_QUOTING = /[",\r\n]/

/** One row as csv-stringify writes it with `CSV_OPTIONS`. */
export function csvRow(cells: readonly string[]): string {
  for (const cell of cells) if (NEEDS_QUOTING.test(cell)) return stringify([cells], CSV_OPTIONS)
  return `${cells.join(',')}\r\n`
}

export function csvWriter(options: CsvWriterOptions): HandoffWriter {
  const columns = columnsOf(options.kind)
  const names = roleNames(options.roles)
  const cells = new Array<string>(columns.length)
  return {
    start: () => (options.bom ? BOM : '') + stringify([[...columns]], CSV_OPTIONS),
    users: (batch: readonly DirectoryUser[]) => {
      let text = ''
      for (const user of batch) {
        const record = listRecord(user, names)
        columns.forEach((column, index) => {
          cells[index] = cellOf(record[column])
        })
        text += csvRow(cells)
      }
      return text
    },
    end: () => ''
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A column the import reads; email is required. */
export type CsvColumn = 'email' | ImportField

const COLUMNS: readonly CsvColumn[] = ['email', 'firstName', 'lastName', 'role', 'status', 'title', 'location', 'description', 'tags']

/** Header names, lower-cased with spaces, `_` and `-` removed, that each column is read from. */
const HEADER_ALIASES: Record<CsvColumn, readonly string[]> = {
  email: ['email', 'emailaddress', 'mail'],
  firstName: ['firstname', 'first', 'givenname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  role: ['role', 'rolename'],
  status: ['status'],
  title: ['title', 'jobtitle'],
  location: ['location', 'office', 'city'],
  description: ['description', 'notes'],
  tags: ['tags', 'labels']
}

/** How a list of tags is written in one cell: `a; b` (see columns.ts). */
const TAG_SEPARATOR = /\s*;\s*/

const normaliseHeader = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '')

/** Comma unless the header line clearly uses semicolons or tabs (spreadsheets in many locales do). */
function detectDelimiter(text: string): string {
  const end = text.search(/\r|\n/)
  const header = end === -1 ? text : text.slice(0, end)
  const count = (character: string): number => header.split(character).length - 1
  const candidates = [',', ';', '\t'].map((delimiter) => ({ delimiter, n: count(delimiter) }))
  const best = candidates.reduce((a, b) => (b.n > a.n ? b : a))
  return best.n > 0 ? best.delimiter : ','
}

interface CsvRecord {
  cells: string[]
  line: number
}

/** Thrown from inside the parser to stop reading a file that is already too long. */
class TooManyRows extends Error {}

/** The physical line numbers' starts, so a broken record can be skipped to the line after it. */
function lineStarts(text: string): number[] {
  const starts = [0]
  for (let index = 0; index < text.length; index++) {
    const character = text.charCodeAt(index)
    // \r\n counts once; a lone \r is a line end too, as the parser reads it.
    if (character === 10 || (character === 13 && text.charCodeAt(index + 1) !== 10)) starts.push(index + 1)
  }
  return starts
}

function parseError(error: unknown): { line: number; message: string } | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string' || !error.code.startsWith('CSV_')) return null
  const line = 'lines' in error && typeof error.lines === 'number' ? error.lines : 1
  return { line, message: error.message }
}

/**
 * The records of a CSV file, each with the line it starts on. A record the parser cannot read —
 * a quote that is never closed, stray text after a closing quote — becomes one problem at its
 * line, and reading goes on from the line after it, so one bad row never fails the file.
 */
function readRecords(text: string): { records: CsvRecord[]; problems: SourceProblem[] } {
  const records: CsvRecord[] = []
  const problems: SourceProblem[] = []
  const starts = lineStarts(text)
  const delimiter = detectDelimiter(text)
  // Parse from this physical line (0-based) on; after a broken record, again from the next line.
  let from = 0
  while (from < starts.length) {
    let recordStart = from
    let previousEnd = 0
    let previousEmpty = 0
    try {
      parse(text.slice(starts[from]), {
        delimiter,
        // Hand-edited files mix line endings; csv-parse would otherwise keep the first one it meets.
        record_delimiter: ['\r\n', '\n', '\r'],
        relax_column_count: true,
        // A quote inside an unquoted cell (Ann "Jr" Lee) is text, as spreadsheets write it.
        relax_quotes: true,
        skip_empty_lines: true,
        on_record: (cells, info) => {
          const line = from + previousEnd + (info.empty_lines - previousEmpty) + 1
          records.push({ cells, line })
          // The header plus one row over the limit is enough to say the file is too long.
          if (records.length > IMPORT_ROW_LIMIT + 1) throw new TooManyRows()
          previousEnd = info.lines
          previousEmpty = info.empty_lines
          recordStart = from + info.lines
          return null
        }
      })
      break
    } catch (error) {
      if (error instanceof TooManyRows) break
      const broken = parseError(error)
      if (!broken) throw error
      // The record that broke starts on the line after the last good one (past blank lines).
      let line = recordStart
      while (line < starts.length - 1 && text.slice(starts[line], starts[line + 1]).trim() === '') line++
      problems.push({ line: line + 1, reason: `Not valid CSV: ${broken.message.replace(/^Invalid Record Length: /, '')}` })
      from = line + 1
    }
  }
  return { records, problems }
}

interface Header {
  /** Cell index of each known column found in the header. */
  index: Partial<Record<CsvColumn, number>>
  names: Partial<Record<CsvColumn, string>>
  ignored: string[]
  width: number
}

const COLUMN_WORDS: Record<CsvColumn, string> = {
  email: 'email',
  firstName: 'first name',
  lastName: 'last name',
  role: 'role',
  status: 'status',
  title: 'title',
  location: 'location',
  description: 'description',
  tags: 'tags'
}

function readHeader(cells: string[]): Header {
  const index: Partial<Record<CsvColumn, number>> = {}
  const names: Partial<Record<CsvColumn, string>> = {}
  const ignored: string[] = []
  cells.forEach((cell, position) => {
    const normalised = normaliseHeader(cell)
    const column = COLUMNS.find((known) => HEADER_ALIASES[known].includes(normalised))
    if (column === undefined) {
      if (cell.trim() !== '') ignored.push(cell.trim())
      return
    }
    if (index[column] !== undefined) {
      throw new DomainError(
        'validation',
        `The header names the ${COLUMN_WORDS[column]} column twice ("${names[column] ?? ''}" and "${cell.trim()}")`
      )
    }
    index[column] = position
    names[column] = cell.trim()
  })
  if (index.email === undefined) {
    throw new DomainError(
      'validation',
      `The header row has no email column. The first row must name the columns, e.g. "email,first_name,last_name,role,status"; found: ${cells.map((cell) => `"${cell.trim()}"`).join(', ')}`
    )
  }
  return { index, names, ignored, width: cells.length }
}

/** A cell as given: trimmed; empty, or a column the file does not have, means "not given". */
const cellAt = (cells: readonly string[], index: number | undefined): string | undefined => {
  if (index === undefined) return undefined
  const value = cells[index]?.trim() ?? ''
  return value === '' ? undefined : value
}

/** What the CSV reader adds to a directory: which header each column came from. */
export interface CsvSource extends SourceDirectory {
  columns: Partial<Record<CsvColumn, string>>
  ignoredColumns: string[]
}

/**
 * The users of an import CSV. Roles are named in the `role` column, so the file brings no roles
 * of its own: each user's one role is a name the planner looks up (or `Public`).
 */
export function readCsv(text: string): CsvSource {
  const { records, problems } = readRecords(text)
  const [headerRecord, ...dataRecords] = records
  if (headerRecord === undefined) {
    throw new DomainError('validation', 'The file is empty: it needs a header row naming the columns, with at least an email column')
  }
  const header = readHeader(headerRecord.cells)
  if (dataRecords.length === 0 && problems.length === 0)
    throw new DomainError('validation', 'The file has a header row but no rows of users')
  const users = dataRecords.map(({ cells, line }): SourceUser => {
    const role = cellAt(cells, header.index.role)
    const tags = cellAt(cells, header.index.tags)
    const user: SourceUser = {
      line,
      id: null,
      email: cells[header.index.email ?? 0]?.trim() ?? '',
      roles: role === undefined ? [] : [role],
      firstName: cellAt(cells, header.index.firstName),
      lastName: cellAt(cells, header.index.lastName),
      title: cellAt(cells, header.index.title),
      location: cellAt(cells, header.index.location),
      description: cellAt(cells, header.index.description),
      ...(tags !== undefined && { tags: tags.split(TAG_SEPARATOR).filter((tag) => tag !== '') })
    }
    const status = cellAt(cells, header.index.status)
    if (status !== undefined) user.status = status
    if (cells.length !== header.width) {
      user.problems = [`Has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} where the header has ${header.width}`]
    }
    return user
  })
  return {
    roles: [],
    users,
    problems: problems.filter((problem) => problem.line > headerRecord.line),
    columns: header.names,
    ignoredColumns: header.ignored
  }
}

/** CSV is what a file is when it is nothing else: the import's last guess. */
export const recogniseCsv = (head: string): boolean => /^\uFEFF?[^\r\n]*[,;\t]/.test(head) || head.trim().length > 0
