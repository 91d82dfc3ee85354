/**
 * The searches the benchmark types: a fixed set, drawn with a seeded generator from the names
 * and domains the seed uses, so every run asks the same questions of the same directory. It
 * mixes what people type into a search box: one and two characters, first names (whose matches
 * cluster in name order), surnames, whole names, address fragments, domains, accented names,
 * the prefixes a name passes through while it is typed, and queries that match nobody.
 */
import { ascii, DOMAINS, FIRST_NAMES, LAST_NAMES, random } from './seed'

export interface SearchQuery {
  text: string
  kind:
    | 'one character'
    | 'two characters'
    | 'first name'
    | 'surname'
    | 'whole name'
    | 'address'
    | 'domain'
    | 'accented'
    | 'typed prefix'
    | 'no match'
}

const NO_MATCH = ['zqxv', 'xq', 'qq', 'jjjj', 'kowalskiy', 'vvx', 'zzyzx', 'qwerty', 'ñ', 'xyzzy', 'fjord', 'bq', 'ǿ', 'wx', 'zk']

export function searchQueries(seed = 7): SearchQuery[] {
  const next = random(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T
  const queries: SearchQuery[] = []
  const add = (kind: SearchQuery['kind'], text: string): void => {
    queries.push({ kind, text })
  }
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  for (let index = 0; index < 26; index++) add('one character', letters[index] ?? 'a')
  for (let index = 0; index < 40; index++) {
    const name = pick(next() < 0.5 ? FIRST_NAMES : LAST_NAMES)
    add('two characters', (next() < 0.7 ? name.slice(0, 2) : name.slice(1, 3)).toLowerCase())
  }
  for (let index = 0; index < 40; index++) add('first name', next() < 0.5 ? pick(FIRST_NAMES) : pick(FIRST_NAMES).toLowerCase())
  for (let index = 0; index < 40; index++) add('surname', next() < 0.5 ? pick(LAST_NAMES) : pick(LAST_NAMES).toLowerCase())
  for (let index = 0; index < 30; index++) add('whole name', `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`)
  for (let index = 0; index < 40; index++) {
    const first = ascii(pick(FIRST_NAMES))
    const last = ascii(pick(LAST_NAMES)).replace(/[^a-z]/g, '')
    const number = Math.floor(next() * 1_000_000).toString(36)
    const forms = [
      `${first}.${last.slice(0, 4)}`,
      `${last}.${number.slice(0, 2)}`,
      `${first}.${last}.${number}@`,
      `.${number}@`,
      `${last}.`
    ]
    add('address', pick(forms))
  }
  for (let index = 0; index < 20; index++) {
    const domain = pick(DOMAINS)
    const forms = [domain, `@${domain.split('.')[0] ?? ''}`, domain.split('.')[0] ?? '', `.${domain.split('.')[1] ?? ''}`]
    add('domain', pick(forms))
  }
  const accented = [...FIRST_NAMES, ...LAST_NAMES].filter((name) => ascii(name) !== name.toLowerCase())
  for (let index = 0; index < 30; index++) {
    const name = pick(accented)
    add('accented', next() < 0.5 ? name : name.toLowerCase())
  }
  for (let index = 0; index < 16; index++) {
    const name = pick(next() < 0.5 ? FIRST_NAMES : LAST_NAMES).toLowerCase()
    for (let length = 3; length < name.length; length++) add('typed prefix', name.slice(0, length))
  }
  for (const text of NO_MATCH) add('no match', text)
  return queries
}
