/**
 * Files in the browser host: exports, backups and the verification key arrive as downloads guarded by the secret, an
 * import is sent as text, and opening another database is limited to the file named on the
 * command line.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'

import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import BetterSqlite3 from 'better-sqlite3'
import { parse } from 'csv-parse/sync'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportToString } from '../../src-main/core/export'
import type { ExportOutcome, InviteListPage, InviteVerification, Result, VerificationKeyOutcome } from '../../src-main/ipc/contract'
import { keyFilesFor, openStoreWithKeyFiles, SHIM_PATH, startHost, type RunningHost } from '../../src-main/host/server'
import { sendRaw, type RawReply } from '../helpers/http'
import { tempDir } from '../helpers/store'
import { valueOf } from '../helpers/results'

const send = sendRaw

function renderer(dir: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="./app.js"></script></head></html>')
  writeFileSync(join(dir, 'app.js'), '')
  return dir
}

describe('files in the browser host', () => {
  const temp = tempDir('rolekeeper-host-files-')
  const dbFile = temp.file('rolekeeper.db')
  const otherDb = temp.file('other.db')
  let host: RunningHost

  const call = async <T>(name: string, input: unknown, headers: Record<string, string> = {}): Promise<Result<T>> => {
    const reply = await send(host.port, {
      method: 'POST',
      path: `/__rolekeeper/call/${name}`,
      headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret, ...headers },
      body: JSON.stringify(input)
    })
    return JSON.parse(reply.body.toString('utf8')) as Result<T> // the host answers with the call's Result
  }
  const download = (url: string, headers: Record<string, string> = { 'X-Rolekeeper-Secret': host.secret }): Promise<RawReply> =>
    send(host.port, { path: url, headers })

  let editorsId: string

  beforeAll(async () => {
    // The file Open database may switch to: a real Rolekeeper database with one user of its own.
    const other = await openStoreWithKeyFiles(otherDb)
    other.sqlite.exec(`INSERT INTO users (id, email, email_key, status, created_at, updated_at, last_changed_by)
      VALUES ('${randomUUID()}', 'elsewhere@example.org', 'elsewhere@example.org', 'active', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', 'seed')`)
    other.close()

    host = await startHost({ dbFile, port: 0, rendererDir: renderer(temp.file('renderer')), allowOpen: otherDb })
    valueOf(await call('updateSettings', { inviteUrlTemplate: 'https://intranet.example.org/accept?token={token}&email={email}' }))
    editorsId = valueOf(await call<{ id: string }>('createRole', { name: 'Editors' })).id
    valueOf(await call('inviteUsers', { text: 'ann@example.org, Bob <bob@example.org>, +sum@example.org', roleId: editorsId }))
  })

  afterAll(async () => {
    await host?.close()
    temp.cleanup()
  })

  it('offers an export as a download with exactly the bytes the desktop app would write', async () => {
    const outcome = valueOf(
      await call<ExportOutcome>('exportInvites', {
        exportId: randomUUID(),
        scope: { kind: 'roleInvites', roleId: editorsId },
        format: 'csv',
        bom: true
      })
    )
    const day = new Date().toISOString().slice(0, 10)
    expect(outcome).toMatchObject({ saved: true, rows: 3, path: `rolekeeper-invites-editors-${day}.csv` })
    expect(outcome.download?.fileName).toBe(outcome.path)
    expect(outcome.download?.url).toMatch(/^\/__rolekeeper\/download\/[\w-]{32}$/)
    expect(JSON.stringify(outcome)).not.toContain(temp.dir)

    const reply = await download(outcome.download?.url ?? '')
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(reply.headers['content-disposition']).toContain(`filename="${outcome.path}"`)
    const text = reply.body.toString('utf8')
    expect(text.startsWith('\uFEFF')).toBe(true)
    const rows = parse(text.slice(1), { columns: true }) as Array<Record<string, string>>
    expect(rows.map((row) => row.email).sort()).toEqual(["'+sum@example.org", 'ann@example.org', 'bob@example.org'])
    expect(rows.find((row) => row.email === 'bob@example.org')?.invite_link).toMatch(
      /^https:\/\/intranet\.example\.org\/accept\?token=[^&]+&email=bob%40example\.org$/
    )

    // The same export made by the core on the same database and key, as the desktop writes it.
    const reader = await openStoreWithKeyFiles(dbFile)
    try {
      const expected = await exportToString(reader, { scope: { kind: 'roleInvites', roleId: editorsId }, format: 'csv', bom: true })
      expect(reply.body.equals(Buffer.from(expected, 'utf8'))).toBe(true)
    } finally {
      reader.close()
    }
  })

  it('offers the verification key as a JWKS download that verifies the links it exports, and keeps the key beside the database', async () => {
    const outcome = valueOf(await call<VerificationKeyOutcome>('exportVerificationKey', {}))
    expect(outcome).toMatchObject({ saved: true, path: 'rolekeeper-verification-key.jwks.json' })
    const reply = await download(outcome.download?.url ?? '')
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(reply.headers['content-disposition']).toContain('filename="rolekeeper-verification-key.jwks.json"')
    const jwks = JSON.parse(reply.body.toString('utf8')) as JSONWebKeySet // the downloaded file
    const { issuer } = valueOf(await call<InviteVerification>('getInviteVerification', {}))
    const [row] = valueOf(await call<InviteListPage>('listInvites', { limit: 1 })).rows
    const token = new URL(row?.inviteLink ?? '').searchParams.get('token') ?? ''
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer })
    expect(payload.email).toBe(row?.email)
    expect(existsSync(keyFilesFor(dbFile).signing)).toBe(true)
    expect(readFileSync(keyFilesFor(dbFile).signing, 'utf8')).toMatch(/^rolekeeper-invite-signing-key 1 plain\n/)
  })

  it('refuses a download without the secret, with a wrong one, or from another host name', async () => {
    const outcome = valueOf(
      await call<ExportOutcome>('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'json' })
    )
    const url = outcome.download?.url ?? ''
    const wrongSecrets: Array<Record<string, string>> = [
      {},
      { 'X-Rolekeeper-Secret': 'guess' },
      { 'X-Rolekeeper-Secret': `${host.secret}x` }
    ]
    for (const headers of wrongSecrets) {
      const reply = await download(url, headers)
      expect(reply.status).toBe(403)
      expect(reply.body.toString('utf8')).not.toContain('ann@example.org')
    }
    const rebound = await download(url, { 'X-Rolekeeper-Secret': host.secret, Host: `rebind.example:${host.port}` })
    expect(rebound.status).toBe(403)
    const good = await download(url)
    expect(good.status).toBe(200)
    expect((JSON.parse(good.body.toString('utf8')) as unknown[]).length).toBe(3)
  })

  it('answers 404 for a download id it never handed out, and 405 to anything but GET', async () => {
    expect((await download(`/__rolekeeper/download/${'a'.repeat(32)}`)).status).toBe(404)
    expect((await download('/__rolekeeper/download/')).status).toBe(404)
    const outcome = valueOf(
      await call<ExportOutcome>('exportInvites', { exportId: randomUUID(), scope: { kind: 'allInvites' }, format: 'csv' })
    )
    const post = await send(host.port, {
      method: 'POST',
      path: outcome.download?.url ?? '',
      headers: { 'X-Rolekeeper-Secret': host.secret }
    })
    expect(post.status).toBe(405)
  })

  it('offers a backup as a download that opens as a database with the same users', async () => {
    const outcome = valueOf(await call<{ path: string; download?: { url: string } }>('backupDatabase', {}))
    expect(outcome.path).toMatch(/^rolekeeper-backup-\d{4}-\d{2}-\d{2}\.db$/)
    const reply = await download(outcome.download?.url ?? '')
    expect(reply.status).toBe(200)
    writeFileSync(temp.file('downloaded.db'), reply.body)
    const copy = new BetterSqlite3(temp.file('downloaded.db'), { readonly: true })
    try {
      const emails = copy.prepare('SELECT email FROM users ORDER BY email').pluck().all()
      expect(emails).toEqual(['+sum@example.org', 'ann@example.org', 'bob@example.org'])
    } finally {
      copy.close()
    }
  })

  it('has the page’s shim fetch the download with the secret and hand it to the browser', async () => {
    const shim = (await send(host.port, { path: SHIM_PATH })).body.toString('utf8')
    const clicked: Array<{ href: string; download: string }> = []
    const blobs = new Map<string, Blob>()
    const window: Record<string, unknown> = {
      location: { href: `http://127.0.0.1:${host.port}/?secret=${host.secret}` },
      sessionStorage: { getItem: () => null, setItem: () => undefined },
      history: { state: null, replaceState: () => undefined }
    }
    const document = {
      body: { append: () => undefined },
      createElement: () => {
        const link = {
          href: '',
          download: '',
          hidden: false,
          click: () => clicked.push({ href: link.href, download: link.download }),
          remove: () => undefined
        }
        return link
      }
    }
    const PageURL = Object.assign(class extends URL {}, {
      createObjectURL: (blob: Blob) => {
        const href = `blob:${randomUUID()}`
        blobs.set(href, blob)
        return href
      },
      revokeObjectURL: () => undefined
    })
    const pageFetch = (path: string, init: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${host.port}${path}`, init)
    runInNewContext(shim, { window, document, fetch: pageFetch, URL: PageURL, Object, JSON, setTimeout: () => 0 })
    const api = window.rolekeeper as Record<string, (input?: unknown) => Promise<Result<ExportOutcome>>>

    const result = await api.exportInvites?.({
      exportId: randomUUID(),
      scope: { kind: 'roleInvites', roleId: editorsId },
      format: 'csv',
      bom: false
    })
    const outcome = valueOf(result ?? { ok: false, error: { code: 'internal', message: 'no call' } })
    expect(clicked).toHaveLength(1)
    expect(clicked[0]?.download).toBe(outcome.path)
    const saved = await blobs.get(clicked[0]?.href ?? '')?.text()
    expect(saved?.split('\r\n')[0]).toBe('email,first_name,last_name,role,status,invited_at,invite_expires_at,expired,invite_link')
    expect(saved).toContain('ann@example.org')
  })

  it('has the page’s shim report a running export’s progress, as the desktop’s events do', async () => {
    // Enough pending invites for the export to take many turns of the event loop.
    const text = Array.from({ length: 10_000 }, (_, index) => `many${index}@example.org`).join('\n')
    valueOf(await call('inviteUsers', { text, roleId: editorsId }))
    // Cached signatures make that export fast enough to end between two polls; without them the
    // export signs all 10,000 tokens first, which takes several polls on any machine.
    const writer = new BetterSqlite3(dbFile)
    try {
      writer.prepare('UPDATE users SET invite_token_seal = NULL').run()
    } finally {
      writer.close()
    }

    const shim = (await send(host.port, { path: SHIM_PATH })).body.toString('utf8')
    const window: Record<string, unknown> = {
      location: { href: `http://127.0.0.1:${host.port}/?secret=${host.secret}` },
      sessionStorage: { getItem: () => null, setItem: () => undefined },
      history: { state: null, replaceState: () => undefined }
    }
    const document = { body: { append: () => undefined }, createElement: () => ({ click: () => undefined, remove: () => undefined }) }
    const PageURL = Object.assign(class extends URL {}, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined })
    const pageFetch = (path: string, init: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${host.port}${path}`, init)
    runInNewContext(shim, { window, document, fetch: pageFetch, URL: PageURL, Object, JSON, Array, Reflect, Promise, setTimeout })
    const api = window.rolekeeper as Record<string, (input?: unknown) => Promise<Result<ExportOutcome>>>
    const shell = window.rolekeeperShell as {
      onProgress(listener: (progress: { operationId: string; done: number; total: number }) => void): () => void
    }

    const exportId = randomUUID()
    const seen: Array<{ done: number; total: number }> = []
    const stop = shell.onProgress((progress) => {
      if (progress.operationId === exportId) seen.push({ done: progress.done, total: progress.total })
    })
    valueOf(
      (await api.exportInvites?.({ exportId, scope: { kind: 'roleInvites', roleId: editorsId }, format: 'csv', bom: false })) ?? {
        ok: false,
        error: { code: 'internal', message: 'no call' }
      }
    )
    stop()
    expect(seen.length).toBeGreaterThan(0)
    for (const progress of seen) {
      expect(progress.total).toBe(10_003)
      expect(progress.done).toBeLessThanOrEqual(progress.total)
    }
    // Like every call, the progress needs the secret.
    expect((await send(host.port, { path: '/__rolekeeper/progress' })).status).toBe(403)
  })

  it('takes an import as the file’s text', async () => {
    const text = 'email,first_name,role\r\ncarol@example.org,Carol,Editors\r\n'
    const preview = valueOf(await call<{ preview: { counts: Record<string, number> } }>('previewImport', { file: { text } }))
    expect(preview.preview.counts.new).toBe(1)
    const applied = valueOf(await call<{ counts: Record<string, number> }>('applyImport', { file: { text } }))
    expect(applied.counts.new).toBe(1)
    const noDialog = await call('previewImport', {})
    expect(noDialog).toMatchObject({ ok: false, error: { code: 'validation' } })
  })

  it('switches only to the database named by --allow-open, and keeps answering on it', async () => {
    const opened = valueOf(await call<{ databasePath: string }>('openDatabase', {}))
    expect(opened.databasePath).toBe(otherDb)
    expect(valueOf(await call<{ databasePath: string }>('getAppInfo', {})).databasePath).toBe(otherDb)
    const users = valueOf(await call<{ rows: Array<{ email: string }> }>('listUsers', {}))
    expect(users.rows.map((user) => user.email)).toEqual(['elsewhere@example.org'])
  })
})

describe('a browser host started without --allow-open', () => {
  const temp = tempDir('rolekeeper-host-files-')
  let host: RunningHost

  beforeAll(async () => {
    host = await startHost({ dbFile: temp.file('rolekeeper.db'), port: 0, rendererDir: renderer(temp.file('renderer')) })
  })
  afterAll(async () => {
    await host?.close()
    temp.cleanup()
  })

  it('refuses openDatabase with a clear message and goes on with its own database', async () => {
    const reply = await send(host.port, {
      method: 'POST',
      path: '/__rolekeeper/call/openDatabase',
      headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret },
      body: '{}'
    })
    const result = JSON.parse(reply.body.toString('utf8')) as Result<unknown>
    expect(result).toMatchObject({ ok: false, error: { code: 'database' } })
    expect(result.ok ? '' : result.error.message).toMatch(/not available in the browser host/)
  })
})

describe('a browser host and a damaged database', () => {
  const temp = tempDir('rolekeeper-host-damaged-')
  afterAll(() => temp.cleanup())

  /** A Rolekeeper database whose users table has a page of noise in the middle. */
  async function damaged(path: string): Promise<Buffer> {
    const store = await openStoreWithKeyFiles(path)
    store.sqlite.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
      INSERT INTO users (id, email, email_key, status, created_at, updated_at)
      SELECT printf('u-%d', i), printf('u%d@example.org', i), printf('u%d@example.org', i), 'active', 'x', 'x' FROM n`)
    const page = store.sqlite
      .prepare<[], number>("SELECT pageno FROM dbstat WHERE name = 'users' AND pagetype = 'leaf' LIMIT 1 OFFSET 5")
      .pluck()
      .get()
    store.close()
    const bytes = readFileSync(path)
    bytes.fill(0x5a, ((page ?? 2) - 1) * 4096, (page ?? 2) * 4096)
    writeFileSync(path, bytes)
    return bytes
  }

  it('is refused when the host starts on it, and when Open database would switch to it; its bytes stay as they were', async () => {
    const startOn = temp.file('start.db')
    const startBytes = await damaged(startOn)
    await expect(startHost({ dbFile: startOn, port: 0, rendererDir: renderer(temp.file('renderer')) })).rejects.toThrow(/is damaged/)
    expect(readFileSync(startOn).equals(startBytes)).toBe(true)

    const openLater = temp.file('later.db')
    const laterBytes = await damaged(openLater)
    const host = await startHost({
      dbFile: temp.file('fine.db'),
      port: 0,
      rendererDir: renderer(temp.file('renderer')),
      allowOpen: openLater
    })
    try {
      const reply = await send(host.port, {
        method: 'POST',
        path: '/__rolekeeper/call/openDatabase',
        headers: { 'Content-Type': 'application/json', 'X-Rolekeeper-Secret': host.secret },
        body: '{}'
      })
      const result = JSON.parse(reply.body.toString('utf8')) as Result<unknown>
      expect(result).toMatchObject({ ok: false, error: { code: 'database', message: expect.stringMatching(/^later\.db is damaged/) } })
    } finally {
      await host.close()
    }
    expect(readFileSync(openLater).equals(laterBytes)).toBe(true)
  })
})
