import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { applyImport, previewImport } from '../../src-main/core/import'
import { getInviteLink } from '../../src-main/core/invites'
import type { Store } from '../../src-main/core/store'
import { importOptions, type ImportOptions } from '../../src-main/core/inputs'
import { IMPORT_PREVIEW_LIMITS } from '../../src-main/core/model'
import { openTestStore } from '../helpers/store'

const NOW = new Date('2026-03-01T10:00:00.000Z')
const STAFF = '00000000-0000-4000-8000-00000000000a'
const ADMINS = '00000000-0000-4000-8000-00000000000b'
const ALICE = '00000000-0000-4000-8000-000000000001'
const ROOT = '00000000-0000-4000-8000-000000000002'
const IVY = '00000000-0000-4000-8000-000000000003'
const EARLIER = '2026-02-01T00:00:00.000Z'

const UPDATE_INVITED: ImportOptions = importOptions.parse({ existing: 'update', newUsersAs: 'invited' })
const SKIP_INVITED: ImportOptions = importOptions.parse({ existing: 'skip', newUsersAs: 'invited' })

let store: Store

function addUser(id: string, email: string, status: string, roleId: string | null, first: string | null, last: string | null): void {
  const invited = status === 'invited'
  store.sqlite
    .prepare(
      `INSERT INTO users (id, email, email_key, first_name, last_name, status, role_id, invited_at, invite_expires_at,
        invite_nonce, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    .run(
      id,
      email,
      email.toLowerCase(),
      first,
      last,
      status,
      roleId,
      invited ? EARLIER : null,
      invited ? '2026-03-05T00:00:00.000Z' : null,
      invited ? 'ivy-nonce' : null,
      EARLIER,
      EARLIER
    )
}

beforeEach(async () => {
  store = await openTestStore({ now: () => NOW })
  const role = store.sqlite.prepare(
    'INSERT INTO roles (id, name, name_key, admin_access, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'
  )
  role.run(STAFF, 'Staff', 'staff', 0, EARLIER, EARLIER)
  role.run(ADMINS, 'Admins', 'admins', 1, EARLIER, EARLIER)
  addUser(ALICE, 'alice@example.org', 'active', STAFF, 'Alice', 'Smith')
  addUser(ROOT, 'root@example.org', 'active', ADMINS, 'Root', null)
  addUser(IVY, 'ivy@example.org', 'invited', STAFF, 'Ivy', null)
})

afterEach(() => store.close())

/** Everything an import could change: users and the activity log. */
function snapshot(): string {
  return JSON.stringify({
    users: store.sqlite.prepare('SELECT * FROM users ORDER BY id').all(),
    activity: store.sqlite.prepare('SELECT * FROM activity ORDER BY id').all()
  })
}

interface UserState {
  email: string
  first_name: string | null
  last_name: string | null
  role_id: string | null
  status: string
  invited_at: string | null
  invite_expires_at: string | null
  invite_nonce: string | null
}

function userByEmail(email: string): (UserState & { id: string }) | undefined {
  return store.sqlite.prepare('SELECT * FROM users WHERE email_key = ?').get(email.toLowerCase()) as
    (UserState & { id: string }) | undefined
}

const WELL_FORMED = [
  'email,first_name,last_name,role,status',
  'new1@example.org,New,One,Staff,',
  'Alice@Example.org,Alicia,,Admins,',
  'ivy@example.org,Ivy,,staff,',
  'not-an-email,X,,,',
  'new2@example.org,,,Ghosts,',
  'new3@example.org,,,,pending',
  `new4@example.org,${'N'.repeat(51)},,,`,
  'NEW1@example.org,Dup,,,',
  'new5@example.org,Five,,Public,ACTIVE'
].join('\r\n')

describe('previewing a well-formed file', () => {
  it('gives every row its outcome, with reasons, and counts', () => {
    const preview = previewImport(store, WELL_FORMED, UPDATE_INVITED)
    expect(preview.totalRows).toBe(9)
    expect(preview.counts).toEqual({ new: 2, update: 1, unchanged: 1, skipped: 0, invalid: 4, duplicate: 1 })
    expect(preview.rowsOmitted).toBe(0)
    expect(preview.rows.map((row) => [row.line, row.email, row.outcome, row.reason])).toEqual([
      [2, 'new1@example.org', 'new', null],
      [3, 'Alice@Example.org', 'update', null],
      [4, 'ivy@example.org', 'unchanged', 'Already up to date'],
      [5, 'not-an-email', 'invalid', 'Email: Not an email address (needs name@domain)'],
      [6, 'new2@example.org', 'invalid', 'Unknown role "Ghosts"'],
      [7, 'new3@example.org', 'invalid', 'Unknown status "pending" (use draft, invited, active, suspended, archived)'],
      [8, 'new4@example.org', 'invalid', 'First name is longer than 50 characters'],
      [9, 'NEW1@example.org', 'duplicate', 'Same address as line 2'],
      [10, 'new5@example.org', 'new', null]
    ])
    expect(preview.rows[1]).toMatchObject({ userId: ALICE, changes: ['firstName', 'role'] })
    expect(preview.columns).toEqual({
      email: 'email',
      firstName: 'first_name',
      lastName: 'last_name',
      role: 'role',
      status: 'status'
    })
  })

  it('writes nothing', () => {
    const before = snapshot()
    previewImport(store, WELL_FORMED, UPDATE_INVITED)
    previewImport(store, WELL_FORMED, SKIP_INVITED)
    expect(snapshot()).toBe(before)
  })

  it('reports existing users as skipped when they are not to be updated', () => {
    const preview = previewImport(store, WELL_FORMED, SKIP_INVITED)
    expect(preview.counts).toEqual({ new: 2, update: 0, unchanged: 2, skipped: 0, invalid: 4, duplicate: 1 })
    expect(preview.rows[1]).toMatchObject({ outcome: 'unchanged', reason: 'Already a user (active): skipped' })
  })

  it('matches headers loosely, reads semicolon files with a BOM, and lists the columns it ignores', () => {
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('E-Mail;First Name;Surname;Department\r\nzoë@example.org;Zoë;Ünal;Sales\r\n', 'utf8')
    ])
    const preview = previewImport(store, file, UPDATE_INVITED)
    expect(preview.columns).toEqual({ email: 'E-Mail', firstName: 'First Name', lastName: 'Surname' })
    expect(preview.ignoredColumns).toEqual(['Department'])
    expect(preview.rows[0]).toMatchObject({ email: 'zoë@example.org', firstName: 'Zoë', lastName: 'Ünal', outcome: 'new' })
  })

  it('lists the first rows and every later problem, and counts the rest', () => {
    const lines = ['email']
    for (let index = 0; index < 3000; index++) lines.push(index === 1500 || index === 2500 ? `broken${index}` : `u${index}@example.org`)
    const preview = previewImport(store, lines.join('\n'), UPDATE_INVITED)
    expect(preview.counts.new).toBe(2998)
    expect(preview.counts.invalid).toBe(2)
    expect(preview.rows).toHaveLength(IMPORT_PREVIEW_LIMITS.firstRows + 2)
    expect(preview.rows.slice(-2).map((row) => row.email)).toEqual(['broken1500', 'broken2500'])
    expect(preview.rowsOmitted).toBe(3000 - IMPORT_PREVIEW_LIMITS.firstRows - 2)
  })
})

describe('applying a file', () => {
  it('creates new users as invited with a working invite, updates existing ones, in one activity entry', () => {
    const result = applyImport(store, WELL_FORMED, UPDATE_INVITED)
    expect(result.counts).toEqual({ new: 2, update: 1, unchanged: 1, skipped: 0, invalid: 4, duplicate: 1 })

    const created = userByEmail('new1@example.org')
    expect(created).toMatchObject({
      email: 'new1@example.org',
      first_name: 'New',
      last_name: 'One',
      role_id: STAFF,
      status: 'invited',
      invited_at: NOW.toISOString(),
      invite_expires_at: '2026-03-08T10:00:00.000Z'
    })
    expect(getInviteLink(store, { userId: created?.id ?? '' }).inviteExpiresAt).toBe('2026-03-08T10:00:00.000Z')
    // A status in the file wins; "Public" means no role.
    expect(userByEmail('new5@example.org')).toMatchObject({ status: 'active', role_id: null, invite_nonce: null })
    // Empty cells leave existing values alone.
    expect(userByEmail('alice@example.org')).toMatchObject({ first_name: 'Alicia', last_name: 'Smith', role_id: ADMINS, status: 'active' })
    expect(userByEmail('ivy@example.org')).toMatchObject({ status: 'invited', invite_nonce: 'ivy-nonce' })
    for (const email of ['new2@example.org', 'new3@example.org', 'new4@example.org']) expect(userByEmail(email)).toBeUndefined()
    expect(store.sqlite.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 5 })

    const activity = store.sqlite.prepare('SELECT * FROM activity').all() as Array<{ id: number; action: string; record_ids: string }>
    expect(activity).toHaveLength(1)
    expect(activity[0]?.id).toBe(result.activityId)
    expect(activity[0]?.action).toBe('user.import')
    expect((JSON.parse(activity[0]?.record_ids ?? '[]') as string[]).sort()).toEqual(
      [created?.id, userByEmail('new5@example.org')?.id, ALICE].sort()
    )
  })

  it('creates new users as drafts without an invite when asked to', () => {
    applyImport(store, WELL_FORMED, importOptions.parse({ existing: 'update', newUsersAs: 'draft' }))
    expect(userByEmail('new1@example.org')).toMatchObject({
      status: 'draft',
      invited_at: null,
      invite_expires_at: null,
      invite_nonce: null
    })
  })

  it('leaves existing users untouched when skipping them', () => {
    const alice = JSON.stringify(userByEmail('alice@example.org'))
    const result = applyImport(store, WELL_FORMED, SKIP_INVITED)
    expect(result.counts.new).toBe(2)
    expect(JSON.stringify(userByEmail('alice@example.org'))).toBe(alice)
  })

  it('starts an invite for a user who becomes invited and ends it for one who leaves it', () => {
    applyImport(store, 'email,status\nalice@example.org,invited\nivy@example.org,draft\n', UPDATE_INVITED)
    expect(userByEmail('alice@example.org')).toMatchObject({
      status: 'invited',
      invited_at: NOW.toISOString(),
      invite_expires_at: '2026-03-08T10:00:00.000Z'
    })
    expect(userByEmail('alice@example.org')?.invite_nonce).toEqual(expect.any(String))
    expect(userByEmail('ivy@example.org')).toMatchObject({ status: 'draft', invited_at: null, invite_expires_at: null, invite_nonce: null })
  })

  it('refuses, writing nothing, an import that would leave no active administrator', () => {
    const before = snapshot()
    expect(() => applyImport(store, 'email,status\nnew9@example.org,active\nroot@example.org,suspended\n', UPDATE_INVITED)).toThrow(
      expect.objectContaining({ code: 'last_admin', fields: { 'rows.3': expect.stringContaining('root@example.org') } })
    )
    expect(snapshot()).toBe(before)
  })

  it('writes nothing and records nothing when no row is new or to be updated', () => {
    const before = snapshot()
    const result = applyImport(store, 'email\nalice@example.org\nbroken\n', SKIP_INVITED)
    expect(result).toEqual({ counts: { new: 0, update: 0, unchanged: 1, skipped: 0, invalid: 1, duplicate: 0 }, activityId: null })
    expect(snapshot()).toBe(before)
  })

  it('imports tens of thousands of rows in one go', { timeout: 120_000 }, () => {
    const insert = store.sqlite.prepare(
      `INSERT INTO users (id, email, email_key, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?)`
    )
    store.transaction(() => {
      for (let index = 0; index < 15_000; index++) {
        insert.run(
          `30000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
          `m${index}@example.org`,
          `m${index}@example.org`,
          EARLIER,
          EARLIER
        )
      }
    })
    const lines = ['email,role']
    for (let index = 0; index < 30_000; index++) lines.push(`m${index}@example.org,Staff`)
    const result = applyImport(store, lines.join('\n'), UPDATE_INVITED)
    expect(result.counts).toEqual({ new: 15_000, update: 15_000, unchanged: 0, skipped: 0, invalid: 0, duplicate: 0 })
    expect(store.sqlite.prepare(`SELECT status, count(*) AS n FROM users WHERE role_id = ? GROUP BY status`).all(STAFF)).toEqual([
      { status: 'active', n: 15_001 },
      { status: 'invited', n: 15_001 }
    ])
  })
})

describe('malformed files', () => {
  const refused = (file: string | Buffer, code: string, message: RegExp): void => {
    const before = snapshot()
    for (const run of [previewImport, applyImport]) {
      expect(() => run(store, file, UPDATE_INVITED)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }))
    }
    expect(snapshot()).toBe(before)
  }

  it('a header without an email column', () => {
    refused('name,role\nAnn,Staff\n', 'validation', /no email column/)
  })

  it('bytes that are not UTF-8', () => {
    refused(Buffer.from('email,first_name\njose@example.org,Jos\xe9\n', 'latin1'), 'validation', /^The file is not UTF-8 text/)
  })

  it('UTF-16 text', () => {
    refused(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\n', 'utf16le')]), 'validation', /^The file is not UTF-8 text/)
  })

  it('an empty file', () => {
    refused('', 'validation', /empty/)
    refused('\r\n\r\n', 'validation', /empty/)
  })

  it('a header and no rows', () => {
    refused('email,first_name\r\n', 'validation', /no rows/)
  })

  it('a quote that is never closed is one invalid row with its line, and the rows after it are read', () => {
    const preview = previewImport(store, 'email,first_name\na@example.org,"Ann\nb@example.org,Bea\n', UPDATE_INVITED)
    expect(preview.rows.map((row) => [row.line, row.outcome, row.email])).toEqual([
      [2, 'invalid', ''],
      [3, 'new', 'b@example.org']
    ])
    expect(preview.rows[0]?.reason).toMatch(/^Not valid CSV: /)
  })

  it('a stray quote inside a cell is read as text, as spreadsheets write it', () => {
    const preview = previewImport(store, 'email,first_name\na@example.org,Ann "Jr"\n', UPDATE_INVITED)
    expect(preview.rows.map((row) => [row.outcome, row.firstName])).toEqual([['new', 'Ann "Jr"']])
  })

  it('more than 200,000 rows', () => {
    refused(`email\n${'x@example.org\n'.repeat(200_001)}`, 'limit_exceeded', /more than 200,000 rows/)
  })

  it('exactly 200,000 rows are accepted', { timeout: 120_000 }, () => {
    const preview = previewImport(store, `email\n${'x@example.org\n'.repeat(200_000)}`, UPDATE_INVITED)
    expect(preview.totalRows).toBe(200_000)
    expect(preview.counts).toMatchObject({ new: 1, duplicate: 199_999 })
  })

  it('ragged rows are reported one by one and not written', () => {
    const file = 'email,first_name\nshort@example.org\nlong@example.org,Long,extra\nfine@example.org,Fine\n'
    const preview = previewImport(store, file, UPDATE_INVITED)
    expect(preview.rows.map((row) => [row.line, row.outcome, row.reason])).toEqual([
      [2, 'invalid', 'Has 1 cell where the header has 2'],
      [3, 'invalid', 'Has 3 cells where the header has 2'],
      [4, 'new', null]
    ])
    applyImport(store, file, UPDATE_INVITED)
    expect(userByEmail('short@example.org')).toBeUndefined()
    expect(userByEmail('long@example.org')).toBeUndefined()
    expect(userByEmail('fine@example.org')).toMatchObject({ first_name: 'Fine' })
  })
})
