import fc from 'fast-check'
import { stringify } from 'csv-stringify/sync'
import { describe, expect, it } from 'vitest'
import { csvRow } from '../../src-main/core/formats/csv'

// The options csv.ts writes with: CRLF records, a lone CR or LF quoted too.
const LIBRARY_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const

describe('CSV rows', () => {
  it('are written exactly as csv-stringify writes them, whether or not a cell needs quoting', () => {
    const cell = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\r', '\n', ' ', "'", '=', '中') }),
      fc.constant('')
    )
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 12 }), (cells) => {
        expect(csvRow(cells)).toBe(stringify([cells], LIBRARY_OPTIONS))
      }),
      { numRuns: 2000 }
    )
  })
})
