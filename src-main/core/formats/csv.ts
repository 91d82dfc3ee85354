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
import type { DirectoryRole, DirectoryUser, HandoffWriter, SourceDirectory, SourceUser } from './handoff'

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

export function csvWriter(options: CsvWriterOptions): HandoffWriter {
  const columns = columnsOf(options.kind)
  const names = roleNames(options.roles)
  return {
    start: () => (options.bom ? BOM : '') + stringify([[...columns]], CSV_OPTIONS),
    users: (batch: readonly DirectoryUser[]) => {
      if (batch.length === 0) return ''
      const rows = batch.map((user) => {
        const record = listRecord(user, names)
        return columns.map((column) => cellOf(record[column]))
      })
      return stringify(rows, CSV_OPTIONS)
    },
    end: () => ''
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A column the import reads; email is required. */
export type CsvColumn = 'email' | ImportField

const COLUMNS: readonly CsvColumn[] = ['email', 'firstName', 'lastName', 'role', 'status']

/** Header names, lower-cased with spaces, `_` and `-` removed, that each column is read from. */
const HEADER_ALIASES: Record<CsvColumn, readonly string[]> = {
  email: ['email', 'emailaddress', 'mail'],
  firstName: ['firstname', 'first', 'givenname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  role: ['role', 'rolename'],
  status: ['status']
}

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

function readRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let previousEnd = 0
  let previousEmpty = 0
  try {
    parse(text, {
      delimiter: detectDelimiter(text),
      // Hand-edited files mix line endings; csv-parse would otherwise keep the first one it meets.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells, info) => {
        records.push({ cells, line: previousEnd + (info.empty_lines - previousEmpty) + 1 })
        // The header plus one row over the limit is enough to say the file is too long.
        if (records.length > IMPORT_ROW_LIMIT + 1) throw new TooManyRows()
        previousEnd = info.lines
        previousEmpty = info.empty_lines
        return null
      }
    })
  } catch (error) {
    if (error instanceof TooManyRows) return records
    const where = error instanceof Error && 'lines' in error && typeof error.lines === 'number' ? ` (line ${error.lines})` : ''
    const message = error instanceof Error ? error.message : String(error)
    throw new DomainError('validation', `The file is not valid CSV${where}: ${message}`)
  }
  return records
}

interface Header {
  /** Cell index of each known column found in the header. */
  index: Partial<Record<CsvColumn, number>>
  names: Partial<Record<CsvColumn, string>>
  ignored: string[]
  width: number
}

function describeColumn(column: CsvColumn): string {
  switch (column) {
    case 'email':
      return 'email'
    case 'firstName':
      return 'first name'
    case 'lastName':
      return 'last name'
    case 'role':
      return 'role'
    case 'status':
      return 'status'
  }
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
        `The header names the ${describeColumn(column)} column twice ("${names[column] ?? ''}" and "${cell.trim()}")`
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
  const records = readRecords(text)
  const [headerRecord, ...dataRecords] = records
  if (headerRecord === undefined) {
    throw new DomainError('validation', 'The file is empty: it needs a header row naming the columns, with at least an email column')
  }
  const header = readHeader(headerRecord.cells)
  if (dataRecords.length === 0) throw new DomainError('validation', 'The file has a header row but no rows of users')
  const users = dataRecords.map(({ cells, line }): SourceUser => {
    const role = cellAt(cells, header.index.role)
    const user: SourceUser = {
      line,
      id: null,
      email: cells[header.index.email ?? 0]?.trim() ?? '',
      roles: role === undefined ? [] : [role]
    }
    const firstName = cellAt(cells, header.index.firstName)
    const lastName = cellAt(cells, header.index.lastName)
    const status = cellAt(cells, header.index.status)
    if (firstName !== undefined) user.firstName = firstName
    if (lastName !== undefined) user.lastName = lastName
    if (status !== undefined) user.status = status
    if (cells.length !== header.width) {
      user.problems = [`Has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} where the header has ${header.width}`]
    }
    return user
  })
  return { roles: [], users, problems: [], columns: header.names, ignoredColumns: header.ignored }
}
