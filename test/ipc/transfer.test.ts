/**
 * The calls that reach files, through the handler map on a real store in a temporary folder and
 * a recording FilePort standing in for the dialogs: exports written and cancelled, imports read
 * by file id or text, backups, the verification key, and switching to another database file.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { parse } from 'csv-parse/sync'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LATEST_VERSION } from '../../src-main/core/db/migrations'
import { DomainError } from '../../src-main/core/errors'
import type { InviteKeys } from '../../src-main/core/invite-keys'
import { openStore, type Store } from '../../src-main/core/store'
import type { AppInfo, ExportFormat, Result } from '../../src-main/ipc/contract'
import { createHandlerMap, type HandlerMap } from '../../src-main/ipc/handlers'
import type { IntegrityControl } from '../../src-main/core/db/integrity'
import type { ChosenImportFile, FilePort, SaveTarget, WorkNotice } from '../../src-main/ipc/ports'
import { testInviteKeys } from '../helpers/keys'
import { tempDir } from '../helpers/store'
import { errorOf, valueOf } from '../helpers/results'

const TODAY = new Date('2025-01-31T10:00:00.000Z')

/** The dialogs answer what the test set; everything asked and reported is recorded. */
class RecordingFiles implements FilePort {
  exportTarget: (suggestedName: string) => Promise<SaveTarget | null> = () => Promise.resolve(null)
  backupTarget: SaveTarget | null = null
  verificationKeyTarget: SaveTarget | null = null
  importFile: ChosenImportFile | null = null
  databaseFile: string | null = null
  /** What the desktop was asked to open (Open Recent, the command line). */
  requestedFile: string | null = null
  readonly shown: string[] = []
  readonly notices: WorkNotice[] = []
  readonly importPaths = new Map<string, string>()
  readonly asked: Array<{ dialog: string; suggestedName?: string; format?: ExportFormat }> = []
  readonly reported: Array<{ operationId: string; done: number; total: number }> = []
  readonly endedIds: string[] = []
  onProgress: (operationId: string) => void = () => undefined
  readonly switchedTo: string[] = []

  constructor(
    private current: { store: Store },
    private readonly inviteKeys: InviteKeys
  ) {}

  chooseExportTarget(suggestedName: string, format: ExportFormat): Promise<SaveTarget | null> {
    this.asked.push({ dialog: 'export', suggestedName, format })
    return this.exportTarget(suggestedName)
  }
  progress(operationId: string, done: number, total: number): void {
    this.reported.push({ operationId, done, total })
    this.onProgress(operationId)
  }
  ended(operationId: string): void {
    this.endedIds.push(operationId)
  }
  chooseImportFile(): Promise<ChosenImportFile | null> {
    this.asked.push({ dialog: 'import' })
    return Promise.resolve(this.importFile)
  }
  readImportFile(fileId: string): Promise<Array<{ name: string; content: Buffer }>> {
    const path = this.importPaths.get(fileId)
    if (!path) return Promise.reject(new DomainError('not_found', 'This file was not chosen'))
    return Promise.resolve([{ name: basename(path), content: readFileSync(path) }])
  }
  chooseBackupTarget(suggestedName: string): Promise<SaveTarget | null> {
    this.asked.push({ dialog: 'backup', suggestedName })
    return Promise.resolve(this.backupTarget)
  }
  chooseVerificationKeyTarget(suggestedName: string): Promise<SaveTarget | null> {
    this.asked.push({ dialog: 'verification key', suggestedName })
    return Promise.resolve(this.verificationKeyTarget)
  }
  chooseDatabaseFile(requested: boolean): Promise<string | null> {
    this.asked.push({ dialog: requested ? 'requested database' : 'database' })
    return Promise.resolve(requested ? this.requestedFile : this.databaseFile)
  }
  openDatabase(file: string, control: Pick<IntegrityControl, 'signal' | 'onProgress'>): Promise<Store> {
    return openStore({ file, inviteKeys: this.inviteKeys, actor: 'tester', now: () => TODAY, mustExist: true, integrity: control })
  }
  useDatabase(next: Store): void {
    this.current.store.close()
    this.current.store = next
    this.switchedTo.push(next.file)
  }
  showInFolder(path: string): void {
    this.shown.push(path)
  }
  workEnded(notice: WorkNotice): void {
    this.notices.push(notice)
  }

  chooseImport(path: string): ChosenImportFile {
    const fileId = randomUUID()
    this.importPaths.set(fileId, path)
    this.importFile = { fileId, name: basename(path) }
    return this.importFile
  }
}

const appInfo: AppInfo = { version: '1.0.0', databasePath: '', runtime: 'desktop' }

let temp: ReturnType<typeof tempDir>
let current: { store: Store }
let files: RecordingFiles
let api: HandlerMap
let inviteKeys: InviteKeys
let editorsId: string

beforeEach(async () => {
  temp = tempDir()
  inviteKeys = await testInviteKeys()
  const file = temp.file('rolekeeper.db')
  current = { store: await openStore({ file, inviteKeys, actor: 'tester', now: () => TODAY }) }
  files = new RecordingFiles(current, inviteKeys)
  api = createHandlerMap({ store: current.store, appInfo: { ...appInfo, databasePath: file }, files })
  valueOf(await api.updateSettings({ inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}' }))
  editorsId = valueOf(await api.createRole({ name: 'Editors & Reviewers' })).id
  valueOf(await api.createUser({ email: 'admin@example.org', firstName: 'Ada', status: 'active' }))
  valueOf(await api.inviteUsers({ text: 'ann@example.org, Bob Stone <bob@example.org>, =cmd@example.org', roleId: editorsId }))
})

afterEach(() => {
  current.store.close()
  temp.cleanup()
})

/** Everything in the temporary folder but the database and its journal files. */
const strayFiles = (): string[] => readdirSync(temp.dir).filter((name) => !name.startsWith('rolekeeper.db'))

const saveTo =
  (name: string): (() => Promise<SaveTarget>) =>
  () =>
    Promise.resolve({ path: temp.file(name) })

describe('exportInvites', () => {
  it('writes a role’s pending invites to the chosen file, suggesting a name, and reports progress', async () => {
    files.exportTarget = saveTo('chosen.csv')
    const exportId = randomUUID()
    const outcome = valueOf(
      await api.exportInvites({ exportId, scope: { kind: 'roleInvites', roleId: editorsId }, format: 'csv', bom: false })
    )
    expect(outcome).toEqual({ saved: true, rows: 3, path: temp.file('chosen.csv'), savedFileId: expect.any(String) })
    expect(files.asked).toEqual([{ dialog: 'export', suggestedName: 'rolekeeper-invites-editors-reviewers-2025-01-31.csv', format: 'csv' }])

    const rows = parse(readFileSync(temp.file('chosen.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>
    expect(rows.map((row) => row.email).sort()).toEqual(["'=cmd@example.org", 'ann@example.org', 'bob@example.org'])
    expect(rows.every((row) => row.invite_link?.startsWith('https://intranet.example.org/accept?token='))).toBe(true)
    expect(rows.find((row) => row.email === 'bob@example.org')).toMatchObject({
      first_name: 'Bob',
      last_name: 'Stone',
      role: 'Editors & Reviewers'
    })

    expect(files.reported.at(-1)).toEqual({ operationId: exportId, done: 3, total: 3 })
    expect(files.endedIds).toEqual([exportId])
    expect(strayFiles()).toEqual(['chosen.csv'])
  })

  it('writes JSON that parses back, and names user and all-invite exports by what they hold', async () => {
    files.exportTarget = saveTo('all.json')
    const outcome = valueOf(await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'json' }))
    expect(outcome.rows).toBe(3)
    const records = JSON.parse(readFileSync(temp.file('all.json'), 'utf8')) as Array<Record<string, unknown>>
    expect(records.map((record) => record.email).sort()).toEqual(['=cmd@example.org', 'ann@example.org', 'bob@example.org'])

    files.exportTarget = saveTo('users.csv')
    valueOf(
      await api.exportInvites({
        exportId: randomUUID(),
        scope: { kind: 'users', selection: { filter: { status: ['active'] } } },
        format: 'csv'
      })
    )
    const text = readFileSync(temp.file('users.csv'), 'utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    expect(text).toContain('admin@example.org')
    expect(files.asked.map((asked) => asked.suggestedName)).toEqual([
      'rolekeeper-invites-2025-01-31.json',
      'rolekeeper-users-2025-01-31.csv'
    ])
  })

  it('answers cancelled and writes nothing when the save dialog is dismissed', async () => {
    files.exportTarget = () => Promise.resolve(null)
    const error = errorOf(await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' }))
    expect(error.code).toBe('cancelled')
    expect(strayFiles()).toEqual([])
  })

  it('stops a running export on cancelOperation, leaving no file and an earlier file untouched', async () => {
    writeFileSync(temp.file('invites.csv'), 'the earlier export')
    files.exportTarget = saveTo('invites.csv')
    const exportId = randomUUID()
    const answers: Array<Result<{ cancelled: boolean }>> = []
    files.onProgress = (id) => {
      if (answers.length === 0) void api.cancelOperation({ operationId: id }).then((answer) => answers.push(answer))
    }
    const pending = api.exportInvites({ exportId, scope: { kind: 'allInvites' }, format: 'csv' })
    // The cancel is handled between the header and the first page of rows.
    const error = errorOf(await pending)
    expect(error.code).toBe('cancelled')
    expect(answers.map(valueOf)).toEqual([{ cancelled: true }])
    expect(readFileSync(temp.file('invites.csv'), 'utf8')).toBe('the earlier export')
    expect(strayFiles()).toEqual(['invites.csv'])
    expect(files.endedIds).toEqual([exportId])
    expect(valueOf(await api.cancelOperation({ operationId: exportId }))).toEqual({ cancelled: false })
  })

  it('can be cancelled while the save dialog is still open', async () => {
    const exportId = randomUUID()
    let answer: (target: SaveTarget) => void = () => undefined
    files.exportTarget = () => new Promise((resolveTarget) => (answer = resolveTarget))
    const pending = api.exportInvites({ exportId, scope: { kind: 'allInvites' }, format: 'csv' })
    await Promise.resolve()
    expect(valueOf(await api.cancelOperation({ operationId: exportId }))).toEqual({ cancelled: true })
    answer({ path: temp.file('late.csv') })
    expect(errorOf(await pending).code).toBe('cancelled')
    expect(existsSync(temp.file('late.csv'))).toBe(false)
  })

  it('refuses an export of a role that does not exist before any dialog opens', async () => {
    const error = errorOf(
      await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'roleInvites', roleId: randomUUID() }, format: 'csv' })
    )
    expect(error.code).toBe('not_found')
    expect(files.asked).toEqual([])
  })

  it('says files are not available where the handler map has no port', async () => {
    const bare = createHandlerMap({ store: current.store, appInfo })
    const error = errorOf(await bare.exportInvites({ exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' }))
    expect(error).toMatchObject({ code: 'internal', message: 'Files cannot be saved or opened here.' })
    expect(errorOf(await bare.backupDatabase({})).message).toBe('Files cannot be saved or opened here.')
  })
})

const IMPORT_CSV =
  'email,first_name,last_name,role\r\nnew@example.org,Nia,New,Editors & Reviewers\r\nann@example.org,Ann,Updated,\r\nnot-an-address,X,Y,\r\n'

const userCount = (): number => Number(current.store.sqlite.prepare('SELECT count(*) FROM users').pluck().get())

describe('previewImport and applyImport', () => {
  it('previews a file chosen in the open dialog without writing, then applies it by its id', async () => {
    writeFileSync(temp.file('people.csv'), IMPORT_CSV)
    const chosen = files.chooseImport(temp.file('people.csv'))
    const before = userCount()

    const preview = valueOf(await api.previewImport({ existing: 'update' }))
    expect(files.asked).toEqual([{ dialog: 'import' }])
    expect(preview).toMatchObject({ chosen: true, fileId: chosen.fileId, fileName: 'people.csv' })
    expect(preview.preview.counts).toMatchObject({ new: 1, update: 1, invalid: 1 })
    expect(userCount()).toBe(before)

    const again = valueOf(await api.previewImport({ existing: 'update', file: { fileId: chosen.fileId } }))
    expect(again.preview.counts).toEqual(preview.preview.counts)
    expect(files.asked).toHaveLength(1)

    const result = valueOf(await api.applyImport({ existing: 'update', newUsersAs: 'draft', file: { fileId: chosen.fileId } }))
    expect(result.counts).toMatchObject({ new: 1, update: 1, invalid: 1 })
    expect(userCount()).toBe(before + 1)
    const users = valueOf(await api.listUsers({ filter: { search: 'example.org' }, limit: 50 })).rows
    expect(users.find((user) => user.email === 'new@example.org')).toMatchObject({ status: 'draft', roleId: editorsId })
    expect(users.find((user) => user.email === 'ann@example.org')).toMatchObject({ lastName: 'Updated' })
  })

  it('previews and applies the file’s text sent by the page', async () => {
    const preview = valueOf(await api.previewImport({ file: { text: IMPORT_CSV } }))
    expect(preview).toMatchObject({ chosen: true, fileId: null, fileName: null })
    expect(preview.preview.counts).toMatchObject({ new: 1, unchanged: 1, invalid: 1 })
    const result = valueOf(await api.applyImport({ file: { text: IMPORT_CSV } }))
    expect(result.counts.new).toBe(1)
    expect(files.asked).toEqual([])
  })

  it('answers cancelled when the open dialog is dismissed and not_found for an id never handed out', async () => {
    files.importFile = null
    expect(errorOf(await api.previewImport({})).code).toBe('cancelled')
    expect(errorOf(await api.applyImport({ file: { fileId: randomUUID() } })).code).toBe('not_found')
  })

  it('reports a malformed file and writes nothing', async () => {
    writeFileSync(temp.file('utf16.csv'), Buffer.from('\uFEFFemail\r\na@example.org\r\n', 'utf16le'))
    const chosen = files.chooseImport(temp.file('utf16.csv'))
    const before = userCount()
    const error = errorOf(await api.applyImport({ file: { fileId: chosen.fileId } }))
    expect(error.code).toBe('validation')
    expect(error.message).toMatch(/UTF-16/)
    expect(userCount()).toBe(before)
  })
})

const emailsIn = (store: Store): string[] => store.sqlite.prepare('SELECT email FROM users ORDER BY email').pluck().all() as string[]

describe('exportVerificationKey', () => {
  it('saves the public key as a JWKS through the save dialog, which verifies an invite link', async () => {
    files.verificationKeyTarget = { path: temp.file('keys.jwks.json') }
    const outcome = valueOf(await api.exportVerificationKey({}))
    expect(outcome).toEqual({ saved: true, path: temp.file('keys.jwks.json') })
    expect(files.asked).toEqual([{ dialog: 'verification key', suggestedName: 'rolekeeper-verification-key.jwks.json' }])

    const jwks = JSON.parse(readFileSync(temp.file('keys.jwks.json'), 'utf8')) as JSONWebKeySet // what the file holds
    expect(jwks.keys).toHaveLength(1)
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/)
    const [link] = valueOf(await api.listInvites({ limit: 1 })).rows
    const token = new URL(link?.inviteLink ?? '').searchParams.get('token') ?? ''
    const { issuer } = valueOf(await api.getInviteVerification({}))
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, currentDate: TODAY })
    expect(payload.scope).toBe('invite')
  })

  it('answers cancelled and writes nothing when the dialog is dismissed', async () => {
    expect(errorOf(await api.exportVerificationKey({})).code).toBe('cancelled')
    expect(readdirSync(temp.dir)).not.toContain('keys.jwks.json')
  })
})

describe('showSavedFile', () => {
  it('shows a saved export or backup by the id its outcome carried, and nothing else', async () => {
    files.exportTarget = saveTo('shown.csv')
    const exported = valueOf(await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' }))
    files.backupTarget = { path: temp.file('shown.db') }
    const backedUp = valueOf(await api.backupDatabase({}))
    for (const savedFileId of [exported.savedFileId, backedUp.savedFileId]) {
      expect(valueOf(await api.showSavedFile({ savedFileId: savedFileId ?? '' }))).toEqual({ shown: true })
    }
    expect(files.shown).toEqual([temp.file('shown.csv'), temp.file('shown.db')])
    expect(errorOf(await api.showSavedFile({ savedFileId: randomUUID() })).code).toBe('not_found')
  })

  it('gives no id for a download, which has no folder of ours (the browser host)', async () => {
    files.exportTarget = () => Promise.resolve({ path: temp.file('download.csv'), download: { url: '/x', fileName: 'download.csv' } })
    const exported = valueOf(await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' }))
    expect(exported.savedFileId).toBeNull()
  })
})

describe('backupDatabase', () => {
  it('writes an openable copy with the same rows through the save dialog', async () => {
    files.backupTarget = { path: temp.file('copy.db') }
    const outcome = valueOf(await api.backupDatabase({}))
    expect(outcome).toEqual({ saved: true, path: temp.file('copy.db'), savedFileId: expect.any(String) })
    expect(files.asked).toEqual([{ dialog: 'backup', suggestedName: 'rolekeeper-backup-2025-01-31.db' }])

    const copy = await openStore({ file: temp.file('copy.db'), inviteKeys, mustExist: true })
    try {
      expect(emailsIn(copy)).toEqual(emailsIn(current.store))
      expect(copy.sqlite.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
    } finally {
      copy.close()
    }
    expect(strayFiles().filter((name) => name.includes('.part'))).toEqual([])
  })

  /** Enough data for the backup to take many steps: a few thousand users with long descriptions. */
  const fillDatabase = (): void => {
    const insert = current.store.sqlite.prepare(
      `INSERT INTO users (id, email, email_key, status, description, created_at, updated_at)
       VALUES (?, ?, ?, 'active', ?, '2025-01-01', '2025-01-01')`
    )
    current.store.transaction(() => {
      for (let index = 0; index < 6000; index++) {
        const email = `filler${index}@example.org`
        insert.run(randomUUID(), email, email, 'x'.repeat(1900))
      }
    })
  }

  it('copies in steps with progress up to the whole file, answering other calls meanwhile', async () => {
    fillDatabase()
    files.backupTarget = { path: temp.file('copy.db') }
    const operationId = randomUUID()
    const answeredDuring: number[] = []
    let backingUp = true
    files.onProgress = (id) => {
      // A read made while the copy is under way is answered before the copy ends.
      if (id === operationId && answeredDuring.length === 0) {
        void api.listUsers({ filter: { search: 'filler59' }, limit: 5 }).then((result) => {
          if (result.ok && backingUp) answeredDuring.push(result.value.total)
        })
      }
    }
    const outcome = valueOf(await api.backupDatabase({ operationId }))
    backingUp = false
    expect(outcome.saved).toBe(true)
    const steps = files.reported.filter((report) => report.operationId === operationId)
    expect(steps.length).toBeGreaterThan(3)
    const last = steps.at(-1)
    expect(last?.done).toBe(last?.total)
    expect(steps.map((step) => step.done)).toEqual([...steps.map((step) => step.done)].sort((a, b) => a - b))
    expect(files.endedIds).toContain(operationId)
    expect(answeredDuring).toEqual([111])
  })

  it('stops when cancelled, leaving neither the file nor a part of it', async () => {
    fillDatabase()
    files.backupTarget = { path: temp.file('copy.db') }
    const operationId = randomUUID()
    files.onProgress = (id) => {
      if (id === operationId) void api.cancelOperation({ operationId })
    }
    const error = errorOf(await api.backupDatabase({ operationId }))
    expect(error.code).toBe('cancelled')
    expect(strayFiles()).toEqual([])
    expect(files.endedIds).toContain(operationId)
  })

  it('answers cancelled when the save dialog is dismissed', async () => {
    files.backupTarget = null
    expect(errorOf(await api.backupDatabase({})).code).toBe('cancelled')
    expect(strayFiles()).toEqual([])
  })
})

describe('openDatabase', () => {
  const refusedWith = async (file: string, message: RegExp): Promise<void> => {
    files.databaseFile = file
    const before = readFileSync(file)
    const error = errorOf(await api.openDatabase({}))
    expect(error.code).toBe('database')
    expect(error.message).toMatch(message)
    // The file is left as it was, and the current database goes on working.
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(files.switchedTo).toEqual([])
    expect(valueOf(await api.getAppInfo({})).databasePath).toBe(temp.file('rolekeeper.db'))
    expect(valueOf(await api.createUser({ email: `still-${randomUUID()}@example.org` })).status).toBe('active')
  }

  it('refuses a damaged file', async () => {
    writeFileSync(temp.file('damaged.db'), randomBytes(8192))
    await refusedWith(temp.file('damaged.db'), /damaged or not a database/)
  })

  it('refuses a file from a newer version of the app', async () => {
    const newer = new BetterSqlite3(temp.file('newer.db'))
    newer.pragma('application_id = 0x524b5052')
    newer.exec('CREATE TABLE future (id INTEGER)')
    newer.pragma(`user_version = ${LATEST_VERSION + 1}`)
    newer.close()
    await refusedWith(temp.file('newer.db'), /newer version of Rolekeeper/)
  })

  it('refuses another application’s database', async () => {
    const foreign = new BetterSqlite3(temp.file('notes.sqlite'))
    foreign.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello')")
    foreign.close()
    await refusedWith(temp.file('notes.sqlite'), /not a Rolekeeper database/)
  })

  it('answers cancelled when the open dialog is dismissed', async () => {
    files.databaseFile = null
    expect(errorOf(await api.openDatabase({})).code).toBe('cancelled')
  })

  it('opens the file the desktop was asked to open, without the open dialog', async () => {
    files.backupTarget = { path: temp.file('asked.db') }
    valueOf(await api.backupDatabase({}))
    files.requestedFile = temp.file('asked.db')
    expect(valueOf(await api.openDatabase({ requested: true }))).toEqual({ opened: true, databasePath: temp.file('asked.db') })
    expect(files.asked.at(-1)).toEqual({ dialog: 'requested database' })
    files.requestedFile = null
    expect(errorOf(await api.openDatabase({ requested: true })).code).toBe('cancelled')
  })

  it('with an operation id: the check reports progress under it, and cancelling keeps the current database', async () => {
    files.backupTarget = { path: temp.file('other.db') }
    valueOf(await api.backupDatabase({}))
    files.databaseFile = temp.file('other.db')
    const operationId = randomUUID()
    files.onProgress = (id) => {
      if (id === operationId) void api.cancelOperation({ operationId })
    }
    expect(errorOf(await api.openDatabase({ operationId })).code).toBe('cancelled')
    expect(files.reported.filter((report) => report.operationId === operationId).length).toBeGreaterThan(0)
    expect(files.endedIds).toContain(operationId)
    expect(files.switchedTo).toEqual([])
    expect(valueOf(await api.getAppInfo({})).databasePath).toBe(temp.file('rolekeeper.db'))

    files.onProgress = () => undefined
    expect(valueOf(await api.openDatabase({ operationId: randomUUID() })).databasePath).toBe(temp.file('other.db'))
    expect(files.notices.at(-1)).toEqual({ title: 'Database opened', body: 'Rolekeeper now works on other.db' })
  })

  it('stops a running export when it switches, but not itself', async () => {
    files.backupTarget = { path: temp.file('other.db') }
    valueOf(await api.backupDatabase({}))
    let release: () => void = () => undefined
    const exportId = randomUUID()
    files.exportTarget = (): Promise<SaveTarget> =>
      new Promise((resolveTarget) => {
        release = () => resolveTarget({ path: temp.file('late.csv') })
      })
    const exporting = api.exportInvites({ exportId, scope: { kind: 'allInvites' }, format: 'csv' })
    files.databaseFile = temp.file('other.db')
    expect(valueOf(await api.openDatabase({ operationId: randomUUID() })).databasePath).toBe(temp.file('other.db'))
    release()
    expect(errorOf(await exporting).code).toBe('cancelled')
  })

  it('switches to a good file: every call works on it from then on', async () => {
    files.backupTarget = { path: temp.file('other.db') }
    valueOf(await api.backupDatabase({}))
    valueOf(await api.createUser({ email: 'only-in-first@example.org' }))

    files.databaseFile = temp.file('other.db')
    expect(valueOf(await api.openDatabase({}))).toEqual({ opened: true, databasePath: temp.file('other.db') })
    expect(files.switchedTo).toEqual([temp.file('other.db')])
    expect(valueOf(await api.getAppInfo({})).databasePath).toBe(temp.file('other.db'))

    const search = async (text: string): Promise<number> => valueOf(await api.listUsers({ filter: { search: text } })).rows.length
    expect(await search('only-in-first')).toBe(0)
    expect(await search('ann@example.org')).toBe(1)
    valueOf(await api.createUser({ email: 'only-in-second@example.org' }))

    const other = new BetterSqlite3(temp.file('other.db'), { readonly: true })
    try {
      expect(other.prepare('SELECT count(*) FROM users WHERE email = ?').pluck().get('only-in-second@example.org')).toBe(1)
    } finally {
      other.close()
    }
    // And exports read the new file too.
    files.exportTarget = saveTo('after-switch.csv')
    valueOf(await api.exportInvites({ exportId: randomUUID(), scope: { kind: 'users', selection: { filter: {} } }, format: 'csv' }))
    expect(readFileSync(temp.file('after-switch.csv'), 'utf8')).toContain('only-in-second@example.org')
  })
})
