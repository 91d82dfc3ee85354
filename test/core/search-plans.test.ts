/**
 * The directory's search answers a page by walking the name order, by leading with the trigram
 * index's candidates, or by reading the ranges of first names that hold most of them (clusters)
 * and sorting only the rest (see
 * user-directory.ts). Which one depends on how many users match and where they sit in the name
 * order, so these tests build a directory large and lopsided enough for every one of them to be
 * taken, and check each answer against the rule itself, tested on every row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listUsersInput } from '../../src-main/core/inputs'
import { createRole } from '../../src-main/core/roles'
import type { Store } from '../../src-main/core/store'
import { listUsers, searchWords, TOTAL_CAP } from '../../src-main/core/user-directory'
import { openTestStore } from '../helpers/store'
import { createRoleInput } from '../../src-main/core/inputs'

let store: Store
let roleId: string

// Thousands of Olgas side by side in name order; Santos scattered through it; a few rare names;
// "oma" inside two first names (Omar, and Tomás through the address), two clusters apart.
const FIRST = ['Ada', 'Olga', 'Olga', 'Olga', 'Zoë', 'Bo', 'Émile', 'Lucía', 'Omar', 'Tomás', 'Omar', 'Tomás']
const LAST = ['Santos', 'Novak', 'Kim', 'Müller', 'Wu', 'Quinn', 'Tanaka']

beforeAll(async () => {
  store = await openTestStore()
  roleId = createRole(store, createRoleInput.parse({ name: 'Big' })).id
  const insert = store.sqlite.prepare(
    `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, indexed_role_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'active', ?, ?, '2026-01-01', '2026-01-01')`
  )
  store.transaction(() => {
    for (let index = 0; index < 12_000; index++) {
      const first = FIRST[(index * 7) % FIRST.length] ?? 'Ada'
      const last = LAST[(index * 3) % LAST.length] ?? 'Kim'
      const unnamed = index % 97 === 0
      const email = `${first.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()}.${last.toLowerCase()}.${index.toString(36)}@${index % 5 === 0 ? 'rare.test' : 'example.org'}`
      const role = index % 3 === 0 ? null : roleId
      insert.run(`id-${index}`, email, email, unnamed ? null : first, unnamed ? null : last, role, role)
    }
  })
})

afterAll(() => store.close())

/** The rule on every row, with no index: each word is in the search text; name order. */
function expected(search: string, inRole: boolean, descending: boolean): string[] {
  const words = searchWords(search) ?? []
  const tests = words.map(() => 'instr(search_text, ?) > 0').join(' AND ')
  const direction = descending ? 'DESC' : 'ASC'
  return store.sqlite
    .prepare(`SELECT id FROM users WHERE ${tests} ${inRole ? 'AND role_id = ?' : ''} ORDER BY sort_name ${direction}, id ${direction}`)
    .pluck()
    .all(...words, ...(inRole ? [roleId] : []))
    .map(String)
}

function listed(search: string, inRole: boolean, descending: boolean): { ids: string[]; total: number; capped: boolean } {
  const ids: string[] = []
  let after: string | undefined
  let first: { total: number; capped: boolean } | null = null
  do {
    const page = listUsers(
      store,
      listUsersInput.parse({
        filter: { search, ...(inRole ? { roleId } : {}) },
        sort: { field: 'name', direction: descending ? 'desc' : 'asc' },
        limit: 200,
        ...(after === undefined ? {} : { after })
      })
    )
    first ??= { total: page.total, capped: page.totalCapped }
    ids.push(...page.rows.map((user) => user.id))
    after = page.nextCursor ?? undefined
  } while (after !== undefined && ids.length < 20_000)
  return { ids, ...(first ?? { total: 0, capped: false }) }
}

describe('every way of answering a search gives the rule’s answer', () => {
  const searches = [
    'olga',
    'Olga Santos',
    'santos',
    'san',
    'sa',
    's',
    'o',
    'zo',
    'wu',
    'bo',
    'rare.test',
    'rare',
    'émile',
    'É',
    'zz',
    'qzx',
    'olga wu',
    'lucía kim',
    'ü',
    'a.s',
    'oma',
    'om',
    'mas',
    'omar santos'
  ]
  for (const search of searches) {
    for (const inRole of [false, true]) {
      it(`“${search}”${inRole ? ' in a role' : ''}: the same users in the same order, ascending and descending, and the total`, () => {
        for (const descending of [false, true]) {
          const want = expected(search, inRole, descending)
          const got = listed(search, inRole, descending)
          expect(got.ids).toEqual(want)
          expect(got.total).toBe(Math.min(want.length, TOTAL_CAP))
          expect(got.capped).toBe(want.length > TOTAL_CAP)
        }
      })
    }
  }
})
