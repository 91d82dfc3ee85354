import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DomainError } from '../../src-main/core/errors'
import { EXPORT_PAGE_SIZE, exportToFile, exportToString } from '../../src-main/core/export'
import { inviteIssuer } from '../../src-main/core/invite-token-cache'
import { inviteClaims, signInviteToken } from '../../src-main/core/invite-tokens'
import { acceptInvite, getInviteLink, inviteUsers, revokeInvite } from '../../src-main/core/invites'
import { updateSettings } from '../../src-main/core/settings'
import type { Store } from '../../src-main/core/store'
import type { ExportRequest } from '../../src-main/core/export'
import { INVITE_EXPORT_COLUMNS } from '../../src-main/core/model'
import { openTestStore, tempDir } from '../helpers/store'

const NOW = new Date('2026-03-01T10:00:00.000Z')
const TEMPLATE = 'https://intranet.example.org/accept?token={token}&email={email}'
const STAFF = '00000000-0000-4000-8000-00000000000a'
const ANN = '00000000-0000-4000-8000-000000000001'
const BOB = '00000000-0000-4000-8000-000000000002'
const CAROL = '00000000-0000-4000-8000-000000000003'
const INVITED_AT = '2026-03-01T09:00:00.000Z'
const EXPIRES = '2026-03-08T09:00:00.000Z'

interface UserFixture {
  id: string
  email: string
  firstName?: string | null
  lastName?: string | null
  status?: string
  roleId?: string | null
  nonce?: string | null
  title?: string | null
  tags?: string[]
}

function addRole(store: Store, id: string, name: string): void {
  store.sqlite
    .prepare('INSERT INTO roles (id, name, name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
    .run(id, name, name.toLowerCase(), INVITED_AT, INVITED_AT)
}

function addUser(store: Store, user: UserFixture): void {
  const status = user.status ?? 'invited'
  const invited = status === 'invited'
  store.sqlite
    .prepare(
      `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, title, tags,
        invited_at, invite_expires_at, invite_nonce, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    .run(
      user.id,
      user.email,
      user.email.toLowerCase(),
      user.firstName ?? null,
      user.lastName ?? null,
      status,
      user.roleId ?? null,
      user.title ?? null,
      JSON.stringify(user.tags ?? []),
      invited ? INVITED_AT : null,
      invited ? EXPIRES : null,
      invited ? (user.nonce ?? `nonce-${user.id}`) : null,
      '2026-02-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z'
    )
}

/** Each fixture invite's token, signed independently of the export (Ed25519 signatures are deterministic). */
const tokens = new Map<string, string>()
const tokenOf = (userId: string): string => tokens.get(userId) ?? ''

const linkOf = (userId: string, email: string): string =>
  `https://intranet.example.org/accept?token=${tokenOf(userId)}&email=${encodeURIComponent(email)}`

let store: Store

beforeEach(async () => {
  store = await openTestStore({ now: () => NOW })
  updateSettings(store, { inviteUrlTemplate: TEMPLATE })
  addRole(store, STAFF, 'Staff')
  addUser(store, { id: ANN, email: 'ann@example.org', firstName: 'Ann', lastName: 'Lee', roleId: STAFF })
  addUser(store, { id: BOB, email: 'Bob@Example.org', firstName: 'Bob, Jr.', lastName: 'O"Neil' })
  addUser(store, {
    id: CAROL,
    email: 'carol@example.org',
    firstName: 'Carol',
    status: 'active',
    roleId: STAFF,
    title: 'Nurse',
    tags: ['night', 'ward 3']
  })
  tokens.clear()
  for (const [id, email, roleId] of [
    [ANN, 'ann@example.org', STAFF],
    [BOB, 'Bob@Example.org', null]
  ] as const) {
    const claims = inviteClaims(inviteIssuer(store), {
      id,
      email,
      role_id: roleId,
      invite_nonce: `nonce-${id}`,
      invited_at: INVITED_AT,
      invite_expires_at: EXPIRES
    })
    tokens.set(id, (await signInviteToken(store.inviteKeys.signing, claims)).token)
  }
})

afterEach(() => store.close())

const allInvites = (format: 'csv' | 'json', bom = false): ExportRequest => ({ scope: { kind: 'allInvites' }, format, bom })

describe('invite list content', () => {
  const csvBody = (): string =>
    'email,first_name,last_name,role,status,invited_at,invite_expires_at,expired,invite_link\r\n' +
    `ann@example.org,Ann,Lee,Staff,invited,${INVITED_AT},${EXPIRES},false,${linkOf(ANN, 'ann@example.org')}\r\n` +
    `Bob@Example.org,"Bob, Jr.","O""Neil",,invited,${INVITED_AT},${EXPIRES},false,${linkOf(BOB, 'Bob@Example.org')}\r\n`

  it('writes CSV with a byte order mark for Excel, quoted per RFC 4180, CRLF line ends', async () => {
    const text = await exportToString(store, allInvites('csv', true))
    expect(text).toBe(`\uFEFF${csvBody()}`)
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
  })

  it('writes CSV without a byte order mark when not asked for one', async () => {
    expect(await exportToString(store, allInvites('csv'))).toBe(csvBody())
  })

  it('writes JSON as an array of objects with the same columns and null for empty values', async () => {
    const row = (id: string, email: string, first: string, last: string, role: string | null): string =>
      JSON.stringify({
        email,
        first_name: first,
        last_name: last,
        role,
        status: 'invited',
        invited_at: INVITED_AT,
        invite_expires_at: EXPIRES,
        expired: false,
        invite_link: linkOf(id, email)
      })
    expect(await exportToString(store, allInvites('json'))).toBe(
      `[\n${row(ANN, 'ann@example.org', 'Ann', 'Lee', 'Staff')},\n${row(BOB, 'Bob@Example.org', 'Bob, Jr.', 'O"Neil', null)}\n]\n`
    )
  })

  it('ignores the byte order mark option for JSON, and writes an empty list as []', async () => {
    expect(await exportToString(store, { scope: { kind: 'roleInvites', roleId: null }, format: 'json', bom: true })).toMatch(/^\[\n\{/)
    store.sqlite.prepare(`UPDATE users SET status = 'active', invite_nonce = NULL`).run()
    expect(await exportToString(store, allInvites('json', true))).toBe('[]\n')
  })

  it('exports links that accept the invite, the same links the invites module gives', async () => {
    const [, annRow] = parse(await exportToString(store, allInvites('csv'))) as string[][]
    const link = annRow?.[8] ?? ''
    expect(link).toBe((await getInviteLink(store, { userId: ANN })).inviteLink)
    expect(await acceptInvite(store, { token: link, password: 'correct horse battery', firstName: null, lastName: null })).toEqual({
      accepted: true
    })
  })

  it('carries the bare token when no URL template is set', async () => {
    updateSettings(store, { inviteUrlTemplate: null })
    const rows = parse(await exportToString(store, allInvites('csv'))) as string[][]
    expect(rows.slice(1).map((row) => row[8])).toEqual([tokenOf(ANN), tokenOf(BOB)])
  })
})

describe('formula injection', () => {
  const dangerous = ['=1+1', '+x', '-x', '@x', '\tx', '\rx', '\nx']

  beforeEach(() => {
    dangerous.forEach((name, index) => {
      addUser(store, {
        id: `00000000-0000-4000-8000-0000000001${String(index).padStart(2, '0')}`,
        email: `${['=1+1', '+x', '-x'][index % 3] ?? ''}${index}@example.org`,
        firstName: name,
        lastName: 'Zed',
        roleId: STAFF
      })
    })
  })

  it('prefixes every CSV cell a spreadsheet would run as a formula with an apostrophe', async () => {
    const rows = parse(await exportToString(store, { scope: { kind: 'roleInvites', roleId: STAFF }, format: 'csv', bom: false }), {
      columns: true
    }) as Array<Record<string, string>>
    const zed = rows.filter((row) => row.last_name === 'Zed')
    expect(zed.map((row) => row.first_name)).toEqual(dangerous.map((name) => `'${name}`))
    expect(zed.map((row) => row.email)).toEqual(
      dangerous.map((_, index) => `'${['=1+1', '+x', '-x'][index % 3] ?? ''}${index}@example.org`)
    )
    // Ordinary cells are left alone.
    expect(rows.find((row) => row.email === 'ann@example.org')?.first_name).toBe('Ann')
  })

  it('leaves JSON values exactly as stored', async () => {
    const rows = JSON.parse(
      await exportToString(store, { scope: { kind: 'roleInvites', roleId: STAFF }, format: 'json', bom: false })
    ) as Array<Record<string, string>>
    expect(rows.filter((row) => row.last_name === 'Zed').map((row) => row.first_name)).toEqual(dangerous)
  })
})

describe('scopes', () => {
  const emails = async (options: ExportRequest): Promise<string[]> =>
    (JSON.parse(await exportToString(store, options)) as Array<{ email: string }>).map((row) => row.email)

  it('a role holds only its own pending invites; Public those without a role', async () => {
    expect(await emails({ scope: { kind: 'roleInvites', roleId: STAFF }, format: 'json', bom: false })).toEqual(['ann@example.org'])
    expect(await emails({ scope: { kind: 'roleInvites', roleId: null }, format: 'json', bom: false })).toEqual(['Bob@Example.org'])
  })

  it('all pending invites leave out users in any other status', async () => {
    expect(await emails(allInvites('json'))).toEqual(['ann@example.org', 'Bob@Example.org'])
  })

  it('a selection is a user export in any status, with profile columns and links only for invited users', async () => {
    const options: ExportRequest = { scope: { kind: 'users', selection: { ids: [CAROL, ANN] } }, format: 'csv', bom: false }
    const text = await exportToString(store, options)
    expect(text).toBe(
      'email,first_name,last_name,role,status,invited_at,invite_expires_at,expired,invite_link,title,location,description,tags,created_at\r\n' +
        'carol@example.org,Carol,,Staff,active,,,,,Nurse,,,night; ward 3,2026-02-01T00:00:00.000Z\r\n' +
        `ann@example.org,Ann,Lee,Staff,invited,${INVITED_AT},${EXPIRES},false,${linkOf(ANN, 'ann@example.org')},,,,,2026-02-01T00:00:00.000Z\r\n`
    )
    const json = JSON.parse(await exportToString(store, { ...options, format: 'json' })) as Array<Record<string, unknown>>
    expect(json[0]).toMatchObject({ email: 'carol@example.org', tags: ['night', 'ward 3'], invite_link: null, title: 'Nurse' })
  })

  it('an invite batch holds the batch users still invited, in the batch order, with the invite columns', async () => {
    const batch = await inviteUsers(store, { text: 'dan@example.org, erin@example.org, fay@example.org', roleId: STAFF })
    const [dan, erin, fay] = batch.results.map((result) => result.userId ?? '')
    revokeInvite(store, { userId: erin ?? '' })
    const options: ExportRequest = {
      scope: { kind: 'inviteBatch', userIds: [fay ?? '', erin ?? '', dan ?? '', CAROL] },
      format: 'csv',
      bom: false
    }
    const rows = parse(await exportToString(store, options)) as string[][]
    expect(rows[0]).toEqual([...INVITE_EXPORT_COLUMNS])
    expect(rows.slice(1).map((row) => [row[0], row[3], row[4]])).toEqual([
      ['fay@example.org', 'Staff', 'invited'],
      ['dan@example.org', 'Staff', 'invited']
    ])
    const links = batch.results.filter((result) => result.userId !== erin).map((result) => result.inviteLink)
    expect(rows.slice(1).map((row) => row[rows[0]?.indexOf('invite_link') ?? -1])).toEqual([links[1], links[0]])
    const json = JSON.parse(await exportToString(store, { ...options, format: 'json' })) as Array<Record<string, unknown>>
    expect(json.map((row) => row.email)).toEqual(['fay@example.org', 'dan@example.org'])
    expect(Object.keys(json[0] ?? {})).not.toContain('title')
  })

  it('an invite batch counts only its pending invites for progress', async () => {
    const folder = tempDir()
    try {
      const progress: Array<[number, number]> = []
      const scope: ExportRequest['scope'] = { kind: 'inviteBatch', userIds: [ANN, CAROL, BOB, ANN] }
      const result = await exportToFile(store, { scope, format: 'json', bom: false }, folder.file('batch.json'), {
        onProgress: (done, total) => progress.push([done, total])
      })
      expect(result.rows).toBe(2)
      expect(progress).toEqual([
        [0, 2],
        [2, 2]
      ])
    } finally {
      folder.cleanup()
    }
  })

  it('a filter exports every matching user in name order', async () => {
    expect(await emails({ scope: { kind: 'users', selection: { filter: { roleId: STAFF } } }, format: 'json', bom: false })).toEqual([
      'ann@example.org',
      'carol@example.org'
    ])
    expect(await emails({ scope: { kind: 'users', selection: { filter: { status: ['active'] } } }, format: 'json', bom: false })).toEqual([
      'carol@example.org'
    ])
  })
})

describe('writing the file', () => {
  let folder: ReturnType<typeof tempDir>
  beforeEach(() => {
    folder = tempDir()
    const insert = store.sqlite.prepare(
      `INSERT INTO users (id, email, email_key, status, role_id, invited_at, invite_expires_at, invite_nonce, created_at, updated_at)
       VALUES (?, ?, ?, 'invited', ?, ?, ?, ?, ?, ?)`
    )
    store.transaction(() => {
      for (let index = 0; index < 2500; index++) {
        const id = `10000000-0000-4000-8000-${String(index).padStart(12, '0')}`
        insert.run(
          id,
          `bulk${index}@example.org`,
          `bulk${index}@example.org`,
          STAFF,
          INVITED_AT,
          EXPIRES,
          `n${index}`,
          INVITED_AT,
          INVITED_AT
        )
      }
    })
  })
  afterEach(() => folder.cleanup())

  it('streams to a temporary file and renames it over the target, reporting progress per page', async () => {
    const target = folder.file('invites.csv')
    const progress: Array<[number, number]> = []
    const result = await exportToFile(store, allInvites('csv', true), target, {
      onProgress: (done, total) => progress.push([done, total])
    })
    expect(result).toEqual({ rows: 2502, path: target })
    expect(readdirSync(folder.dir)).toEqual(['invites.csv'])
    expect(readFileSync(target, 'utf8')).toBe(await exportToString(store, allInvites('csv', true)))
    // After the header, then after each page.
    const pageEnds = Array.from({ length: Math.ceil(2502 / EXPORT_PAGE_SIZE) }, (_, page) => Math.min(2502, (page + 1) * EXPORT_PAGE_SIZE))
    expect(progress).toEqual([[0, 2502], ...pageEnds.map((done) => [done, 2502])])
  })

  it('a cancel midway leaves neither the target nor a temporary file', async () => {
    const controller = new AbortController()
    const target = folder.file('invites.json')
    const run = exportToFile(store, allInvites('json'), target, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 1000) controller.abort()
      }
    })
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
    await expect(run).rejects.toBeInstanceOf(DomainError)
    expect(readdirSync(folder.dir)).toEqual([])
  })

  it('a cancel leaves an existing file under the chosen name exactly as it was', async () => {
    const target = folder.file('invites.csv')
    writeFileSync(target, 'the previous export\n')
    const controller = new AbortController()
    const run = exportToFile(store, allInvites('csv'), target, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done >= 2000) controller.abort()
      }
    })
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
    expect(readdirSync(folder.dir)).toEqual(['invites.csv'])
    expect(readFileSync(target, 'utf8')).toBe('the previous export\n')
  })

  it('replaces an existing file once the export is complete', async () => {
    const target = folder.file('invites.csv')
    writeFileSync(target, 'the previous export\n')
    await exportToFile(store, { scope: { kind: 'roleInvites', roleId: null }, format: 'csv', bom: false }, target)
    expect(readFileSync(target, 'utf8')).toBe(
      'email,first_name,last_name,role,status,invited_at,invite_expires_at,expired,invite_link\r\n' +
        `Bob@Example.org,"Bob, Jr.","O""Neil",,invited,${INVITED_AT},${EXPIRES},false,${linkOf(BOB, 'Bob@Example.org')}\r\n`
    )
    expect(readdirSync(folder.dir)).toEqual(['invites.csv'])
  })

  it('a failing write removes the temporary file and leaves the target alone', async () => {
    const target = folder.file('invites.csv')
    writeFileSync(target, 'the previous export\n')
    store.close()
    await expect(exportToFile(store, allInvites('csv'), target)).rejects.toThrow()
    expect(readdirSync(folder.dir)).toEqual(['invites.csv'])
    expect(readFileSync(target, 'utf8')).toBe('the previous export\n')
    store = await openTestStore()
  })
})

describe('a large export', () => {
  it('streams 100,000 pending invites page by page to the end', { timeout: 180_000 }, async () => {
    const folder = tempDir()
    try {
      const insert = store.sqlite.prepare(
        `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, invited_at, invite_expires_at, invite_nonce, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'invited', ?, ?, ?, ?, ?, ?)`
      )
      store.transaction(() => {
        for (let index = 0; index < 100_000; index++) {
          const id = `20000000-0000-4000-8000-${String(index).padStart(12, '0')}`
          const email = `member${index}@example.org`
          insert.run(id, email, email, `First${index}`, `Last${index}`, STAFF, INVITED_AT, EXPIRES, `n${index}`, INVITED_AT, INVITED_AT)
        }
      })
      const target = folder.file('staff.csv')
      let pages = 0
      let last: [number, number] = [0, 0]
      const result = await exportToFile(store, { scope: { kind: 'roleInvites', roleId: STAFF }, format: 'csv', bom: true }, target, {
        onProgress: (done, total) => {
          pages++
          last = [done, total]
        }
      })
      expect(result.rows).toBe(100_001)
      expect(last).toEqual([100_001, 100_001])
      expect(pages).toBe(1 + Math.ceil(100_001 / EXPORT_PAGE_SIZE))
      const lines = readFileSync(target, 'utf8').split('\r\n')
      expect(lines).toHaveLength(1 + 100_001 + 1)
      expect(lines.at(-2)).toMatch(/^member99999@example\.org,First99999,Last99999,Staff,invited,/)
      expect(readdirSync(folder.dir)).toEqual(['staff.csv'])
    } finally {
      folder.cleanup()
    }
  })
})
