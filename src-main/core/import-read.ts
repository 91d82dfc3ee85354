/**
 * Reading an import file into a `SourceDirectory`: the bytes decoded as UTF-8, the format
 * recognised from the content (or as chosen), and the format's reader run. Plain functions of
 * their input with no store, so the same code runs on the main thread or, for big files, in a
 * worker (import-reader.ts) while the app goes on answering.
 */
import { DomainError } from './errors'
import { readCsv, type CsvColumn } from './formats/csv'
import { readDirectusFiles } from './formats/directus'
import type { SourceDirectory } from './formats/handoff'
import { readJsonList, recogniseJsonList } from './formats/json'
import { handoffFormats } from './formats/registry'
import type { ImportOptions } from './inputs'
import { IMPORT_FORMAT_LABELS, type ImportFormat } from './model'

/** The text of a file that must be UTF-8 (a BOM is allowed and dropped). */
function decodeUtf8(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '')
  if (input.length >= 2 && ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff))) {
    throw new DomainError('validation', 'The file is not UTF-8 text: it is UTF-16. Save it as "CSV UTF-8" and try again.')
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input)
  } catch {
    throw new DomainError(
      'validation',
      'The file is not UTF-8 text (it contains bytes that are not valid UTF-8). Save it as "CSV UTF-8" and try again.'
    )
  }
}

export interface ReadSource extends SourceDirectory {
  format: ImportFormat
  columns: Partial<Record<CsvColumn, string>>
  ignoredColumns: string[]
}

/** The format a file is in, from its first kilobytes: each hand-off format, then a JSON list, then CSV. */
export function recogniseImportFormat(text: string): ImportFormat {
  const head = text.slice(0, 4096)
  for (const format of handoffFormats()) if (format.recognise(head)) return format.id
  return recogniseJsonList(head) ? 'json' : 'csv'
}

/** What an import reads: one file's bytes or text, or several files read together. */
export type ImportInput = string | Uint8Array | ReadonlyArray<{ name: string; content: string | Uint8Array }>

export function readImportSource(input: ImportInput, options: ImportOptions): ReadSource {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    const [only, ...more] = input
    if (only === undefined) throw new DomainError('validation', 'No file was chosen')
    if (more.length > 0) return readSeveral(input, options)
    return readImportSource(only.content, options)
  }
  const text = decodeUtf8(input)
  const format = options.format === 'auto' ? recogniseImportFormat(text) : options.format
  if (format === 'csv') return { format, ...readCsv(text) }
  const directory = format === 'json' ? readJsonList(text) : readHandoff(format, text)
  return { format, ...directory, columns: {}, ignoredColumns: [] }
}

/**
 * Several files read as one directory: what Directus exports one collection at a time (users,
 * roles, policies, access). Other systems export the whole directory in one file.
 */
function readSeveral(files: ReadonlyArray<{ name: string; content: string | Uint8Array }>, options: ImportOptions): ReadSource {
  const texts = files.map((file) => decodeUtf8(file.content))
  // Directus's policies and access exports look like any JSON: its users or roles name the set.
  const formats = texts.map(recogniseImportFormat)
  const csvOrJson = files.filter((_file, index) => formats[index] !== 'directus' && formats[index] !== 'json')
  if (options.format !== 'directus' && (!formats.includes('directus') || csvOrJson.length > 0)) {
    const others = options.format === 'auto' ? files.filter((_file, index) => formats[index] !== 'directus') : files
    throw new DomainError(
      'validation',
      `Several files are read together only for a Directus export (users, roles, policies, access); ${others.map((file) => file.name).join(', ')} ${others.length === 1 ? 'is' : 'are'} not part of one. Choose one file.`
    )
  }
  return { format: 'directus', ...readDirectusFiles(texts), columns: {}, ignoredColumns: [] }
}

function readHandoff(format: ImportFormat, text: string): SourceDirectory {
  const reader = handoffFormats().find((candidate) => candidate.id === format)
  if (!reader) throw new DomainError('validation', `${IMPORT_FORMAT_LABELS[format]} files cannot be imported yet`)
  return reader.read(text)
}
