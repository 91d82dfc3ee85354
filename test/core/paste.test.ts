import { describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { LIMITS } from '../../src-main/core/model'
import { parsePaste, splitName } from '../../src-main/core/paste'

const emails = (text: string): Array<string | null> => parsePaste(text).entries.map((entry) => entry.email)
const statuses = (text: string): string[] => parsePaste(text).entries.map((entry) => entry.status)

describe('parsePaste', () => {
  it('splits on commas, semicolons, spaces, tabs and new lines in any mix, \\r\\n included', () => {
    const preview = parsePaste(
      'a@example.org, b@example.org;c@example.org\td@example.org\r\ne@example.org\nf@example.org  g@example.org;;,\r\n'
    )
    expect(preview.entries.map((entry) => entry.email)).toEqual([
      'a@example.org',
      'b@example.org',
      'c@example.org',
      'd@example.org',
      'e@example.org',
      'f@example.org',
      'g@example.org'
    ])
    expect(preview.counts).toEqual({ valid: 7, invalid: 0, duplicate: 0 })
  })

  it('drops pieces that are empty once trimmed, so stray separators and blank lines are not entries', () => {
    const preview = parsePaste('  \n , ;\t\r\n   a@example.org   \n\u00a0\u3000\n ,b@example.org , ')
    expect(preview.entries.map((entry) => entry.raw)).toEqual(['a@example.org', 'b@example.org'])
  })

  it('gives nothing for an empty or blank paste', () => {
    expect(parsePaste('').entries).toEqual([])
    expect(parsePaste(' \r\n\t ').counts).toEqual({ valid: 0, invalid: 0, duplicate: 0 })
  })

  it('keeps "Name <address>" together and fills first and last name from it', () => {
    const [entry] = parsePaste('Ann Marie Smith <ann@example.org>').entries
    expect(entry).toEqual({
      raw: 'Ann Marie Smith <ann@example.org>',
      email: 'ann@example.org',
      firstName: 'Ann',
      lastName: 'Marie Smith',
      status: 'valid',
      reason: null
    })
  })

  it('reads "Last, First" <address> as pasted from a mail client, comma inside the quotes included', () => {
    const preview = parsePaste('"Smith, Ann" <ann@example.org>, "Doe, John" <john@example.org>; Bob <bob@example.org>')
    expect(preview.entries.map(({ email, firstName, lastName }) => ({ email, firstName, lastName }))).toEqual([
      { email: 'ann@example.org', firstName: 'Ann', lastName: 'Smith' },
      { email: 'john@example.org', firstName: 'John', lastName: 'Doe' },
      { email: 'bob@example.org', firstName: 'Bob', lastName: null }
    ])
    expect(preview.entries[0]?.raw).toBe('"Smith, Ann" <ann@example.org>')
  })

  it('mixes bare addresses and named ones separated only by spaces', () => {
    expect(emails('a@example.org Ann Smith <ann@example.org> b@example.org')).toEqual(['a@example.org', 'ann@example.org', 'b@example.org'])
  })

  it('ignores a name that only repeats the address, and handles escaped quotes', () => {
    const [repeat, escaped] = parsePaste('"ann@example.org" <ann@example.org>\n"Tom \\"Tommy\\" Jones" <tom@example.org>').entries
    expect(repeat).toMatchObject({ email: 'ann@example.org', firstName: null, lastName: null, status: 'valid' })
    expect(escaped).toMatchObject({ email: 'tom@example.org', firstName: 'Tom', lastName: '"Tommy" Jones' })
  })

  it('reads an address used as its own name as one entry', () => {
    const preview = parsePaste('ann@example.org <ann@example.org>, Bob bob@example.org <bob@example.org>')
    expect(preview.entries.map(({ raw, email, firstName, status }) => [raw, email, firstName, status])).toEqual([
      ['ann@example.org <ann@example.org>', 'ann@example.org', null, 'valid'],
      ['Bob bob@example.org <bob@example.org>', 'bob@example.org', 'Bob', 'valid']
    ])
  })

  it('does not let an unclosed quote or bracket swallow the rest of the paste', () => {
    expect(emails('"Ann <ann@example.org\nb@example.org')).toEqual(['"Ann', '<ann@example.org', 'b@example.org'])
    expect(statuses('"Ann <ann@example.org\nb@example.org')).toEqual(['invalid', 'invalid', 'valid'])
  })

  it('strips zero-width and other invisible characters', () => {
    const text =
      '\ufeffa\u200b@example.org, b@exa\u200cmple\u200d.org; \u2060c@example.org\u00ad\n\u200ed@example.org\u200f \u202ae@example.org\u202c'
    const preview = parsePaste(text)
    expect(preview.entries.map((entry) => entry.email)).toEqual([
      'a@example.org',
      'b@example.org',
      'c@example.org',
      'd@example.org',
      'e@example.org'
    ])
    expect(preview.counts.valid).toBe(5)
  })

  it('reports each invalid entry with its reason and keeps the rest', () => {
    const preview = parsePaste('ok@example.org, not-an-address, @example.org, ann@, <>, ann@localhost')
    expect(preview.entries.map(({ raw, status }) => [raw, status])).toEqual([
      ['ok@example.org', 'valid'],
      ['not-an-address', 'invalid'],
      ['@example.org', 'invalid'],
      ['ann@', 'invalid'],
      ['<>', 'invalid'],
      ['ann@localhost', 'invalid']
    ])
    for (const entry of preview.entries.slice(1)) expect(entry.reason).toMatch(/\w/)
    expect(preview.counts).toEqual({ valid: 1, invalid: 5, duplicate: 0 })
  })

  it('refuses an address over 254 characters', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.org`
    expect(long.length).toBeGreaterThan(254)
    const [entry] = parsePaste(long).entries
    expect(entry?.status).toBe('invalid')
    expect(entry?.reason).toMatch(/254/)
  })

  it('refuses a name longer than a name may be', () => {
    const [entry] = parsePaste(`${'A'.repeat(LIMITS.personName + 1)} Smith <a@example.org>`).entries
    expect(entry?.status).toBe('invalid')
    expect(entry?.reason).toMatch(/first name/)
  })

  it('reports duplicates ignoring case: the first is valid, each repeat names it', () => {
    const preview = parsePaste('Ann@Example.org, ann@example.org\nANN@EXAMPLE.ORG; Ann <ann@example.ORG>')
    expect(preview.entries.map((entry) => entry.status)).toEqual(['valid', 'duplicate', 'duplicate', 'duplicate'])
    expect(preview.entries[1]?.reason).toContain('Ann@Example.org')
    expect(preview.counts).toEqual({ valid: 1, invalid: 0, duplicate: 3 })
  })

  it('accepts international domains and treats the punycode and upper-case forms as duplicates', () => {
    const preview = parsePaste('user@bücher.de USER@BÜCHER.de user@xn--bcher-kva.de')
    expect(preview.entries.map((entry) => entry.status)).toEqual(['valid', 'duplicate', 'duplicate'])
    expect(preview.entries[0]?.email).toBe('user@bücher.de')
  })

  it('reads mailto: addresses', () => {
    expect(emails('mailto:ann@example.org')).toEqual(['ann@example.org'])
  })

  it('refuses a paste over the entry limit and says how many entries it held', () => {
    const count = LIMITS.pasteEntries + 1
    const text = Array.from({ length: count }, (_, index) => `u${index}@example.org`).join('\n')
    let caught: unknown
    try {
      parsePaste(text)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(DomainError)
    expect(caught).toMatchObject({
      code: 'limit_exceeded',
      message: 'The paste holds 50,001 entries; at most 50,000 can be invited at once'
    })
  })

  it('accepts exactly the entry limit', () => {
    const text = Array.from({ length: LIMITS.pasteEntries }, (_, index) => `u${index}@example.org`).join(',')
    expect(parsePaste(text).counts.valid).toBe(LIMITS.pasteEntries)
  })
})

describe('a first line of column names', () => {
  it('is not an entry when it names the address column, however it is spelled', () => {
    for (const header of ['Email', 'E-mail address', 'EMAILS', '"Email"', 'Email:', 'email_address']) {
      const preview = parsePaste(`${header}\nann@example.org\nbob@example.org`)
      expect(preview.header, header).toBe(header)
      expect(preview.entries.map((entry) => entry.email)).toEqual(['ann@example.org', 'bob@example.org'])
      expect(preview.counts).toEqual({ valid: 2, invalid: 0, duplicate: 0 })
    }
  })

  it('reads a spreadsheet copied with its header row as one entry per row, names from their columns', () => {
    const preview = parsePaste(
      'First name\tLast name\tEmail\tDepartment\nAnn\tSmith\tann@example.org\tWard 3\nBob\t\tbob@example.org\t\n\n'
    )
    expect(preview.header).toBe('First name\tLast name\tEmail\tDepartment')
    expect(preview.entries.map(({ email, firstName, lastName, status }) => ({ email, firstName, lastName, status }))).toEqual([
      { email: 'ann@example.org', firstName: 'Ann', lastName: 'Smith', status: 'valid' },
      { email: 'bob@example.org', firstName: 'Bob', lastName: null, status: 'valid' }
    ])
  })

  it('takes a full-name column apart like a mail client’s name, and reports a row without an address', () => {
    const preview = parsePaste('Name,Email\n"Smith, Ann",ann@example.org\nCarl Jung,\n')
    expect(preview.entries.map(({ email, firstName, lastName, status }) => ({ email, firstName, lastName, status }))).toEqual([
      { email: 'ann@example.org', firstName: 'Ann', lastName: 'Smith', status: 'valid' },
      { email: null, firstName: 'Carl', lastName: 'Jung', status: 'invalid' }
    ])
  })

  it('leaves a first line that holds an address, or that names no address column, as entries', () => {
    expect(parsePaste('email@example.org\nbob@example.org').header).toBeNull()
    expect(emails('email@example.org\nbob@example.org')).toEqual(['email@example.org', 'bob@example.org'])
    const names = parsePaste('Staff\nann@example.org')
    expect(names.header).toBeNull()
    expect(names.counts).toEqual({ valid: 1, invalid: 1, duplicate: 0 })
  })
})

describe('splitName', () => {
  it('splits "Last, First", "First Last" and single names', () => {
    expect(splitName('Smith, Ann')).toEqual({ firstName: 'Ann', lastName: 'Smith' })
    expect(splitName('  Ann   van  der Berg ')).toEqual({ firstName: 'Ann', lastName: 'van der Berg' })
    expect(splitName('Cher')).toEqual({ firstName: 'Cher', lastName: null })
    expect(splitName("'Ann Smith'")).toEqual({ firstName: 'Ann', lastName: 'Smith' })
    expect(splitName('')).toEqual({ firstName: null, lastName: null })
  })
})
