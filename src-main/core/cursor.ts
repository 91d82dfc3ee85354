import { DomainError } from './errors'

/**
 * Keyset-paging cursors: an opaque, URL-safe encoding of the last row's sort key(s).
 * A cursor that does not decode to the expected shape is a validation error, never a crash.
 */
export function encodeCursor(...values: ReadonlyArray<string | number | null>): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url')
}

type Kind = 'string' | 'number' | 'nullable-string'
type Decoded<K extends Kind> = K extends 'string' ? string : K extends 'number' ? number : string | null

/** Decode a cursor made by `encodeCursor` with exactly `kinds.length` values of those kinds. */
export function decodeCursor<K extends Kind[]>(cursor: string, ...kinds: K): { [I in keyof K]: Decoded<K[I]> }
export function decodeCursor(cursor: string, ...kinds: Kind[]): unknown[] {
  const invalid = new DomainError('validation', 'The page cursor is not valid', { after: 'Not a valid cursor' })
  let values: unknown
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalid
  }
  if (!Array.isArray(values) || values.length !== kinds.length) throw invalid
  kinds.forEach((kind, index) => {
    const value: unknown = values[index]
    const ok =
      kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : kind === 'string'
          ? typeof value === 'string'
          : value === null || typeof value === 'string'
    if (!ok) throw invalid
  })
  return values
}
